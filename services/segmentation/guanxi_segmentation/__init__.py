"""Guanxi segmentation (客户价值): RFM, CLV, Pareto tiers, loyalty and churn."""

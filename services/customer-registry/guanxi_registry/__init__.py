"""Guanxi customer registry (客户数据库)."""

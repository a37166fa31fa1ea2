"""Guanxi needs (客户需求): needs library, opportunities, MAN, expectations, complaints."""

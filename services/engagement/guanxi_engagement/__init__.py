"""Guanxi engagement (客户关怀): calendar, greetings, revisits, visits, gifts, renewals."""

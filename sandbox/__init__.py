"""A stateful local sandbox and contract test kit for the Elevate Payment and Refund API 1.39."""

__version__ = "0.2.0"

"""Local servers that stand in for external services, driven through the real SDKs."""

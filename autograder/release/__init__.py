"""Building what students receive."""

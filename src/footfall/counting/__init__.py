"""Tracks become passages; passages become occupancy, visits and alarms."""

"""Video in, people out: sources, detectors, trackers and the synthetic scene."""

"""Frames in, pose landmarks out: sources, the MediaPipe estimator, geometry, smoothing, overlays."""

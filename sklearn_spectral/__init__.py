"""Spectral neural networks for scikit-learn."""

"""Measuring only: latency, size, memory and accuracy of the models and the frame pipeline."""

"""Device side: TFLite digit recognition on CPU-only devices, with no TensorFlow."""

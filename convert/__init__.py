"""Conversion side: int8 post-training quantization, validation and report."""

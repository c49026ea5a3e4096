"""Training side: MNIST data, the Keras CNN and its training run."""

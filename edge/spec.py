"""The facts the trainer, the converter and the device must agree on."""

# Model input: one grayscale MNIST-style image.
INPUT_HEIGHT_PX = 28
INPUT_WIDTH_PX = 28
INPUT_CHANNELS = 1
INPUT_SHAPE = (INPUT_HEIGHT_PX, INPUT_WIDTH_PX, INPUT_CHANNELS)

# MNIST digits are fitted into a 20x20 box and centred by mass in the 28x28 frame.
DIGIT_BOX_PX = 20

# Class index i is the digit str(i).
LABELS = tuple(str(d) for d in range(10))
NUM_CLASSES = len(LABELS)

# Raw pixels, white (255) digit on black (0) background, as in MNIST.
# The model scales them itself (a Rescaling layer), so callers feed 0..255.
POLARITY = "white_on_black"
VALUE_MIN = 0
VALUE_MAX = 255

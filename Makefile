# Thin wrappers over `python -m train|convert|edge|benchmarks`; every target sets itself up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MODELS ?= models
# TensorFlow's C++ start-up chatter hides the progress bar.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: setup train convert test test-gates predict live bench deploy rollback clean pi-vm test-pi

setup: $(STAMP)

$(STAMP): requirements.txt edge/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

train: $(STAMP)
	$(PY) -m train --output-dir $(MODELS)

convert: $(STAMP)
	$(PY) -m convert --keras-model $(MODELS)/digits.keras --output-dir $(MODELS)

# pytest exits 5 when it collects nothing: that is a broken suite, said in words.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc

# The accuracy gates on real data (shared photos, synthetic frames) with the built model.
test-gates: $(STAMP)
	$(PY) -m pytest -m gates

# make predict IMAGE=photo.jpg [ARGS="--json --debug-dir debug"]
predict: $(STAMP)
	@test -n "$(IMAGE)" || { echo "usage: make predict IMAGE=photo.jpg" >&2; exit 2; }
	$(PY) -m edge predict --model $(MODELS)/digits_int8.tflite $(ARGS) $(IMAGE)

# make live [SOURCE=0] [ARGS="--smooth 5"]
SOURCE ?= 0
live: $(STAMP)
	$(PY) -m edge run --model $(MODELS)/digits_int8.tflite --source $(SOURCE) --smooth 5 $(ARGS)

# make bench [ARGS="--quick" | ARGS="--compare benchmarks/results/pi-....json"]
bench: $(STAMP)
	$(PY) -m benchmarks --models-dir $(MODELS) $(ARGS)

# make deploy PI=pi@raspberrypi.local | HOSTS=inventory.ini [ARGS="--source picamera2"]
TARGET = $(if $(PI),--pi $(PI)) $(if $(HOSTS),--hosts $(HOSTS))
# Not echoed: ARGS may hold a broker's password (--mqtt mqtt://user:pass@host), and logs keep what make prints.
deploy: $(STAMP)
	@$(PY) -m deploy push $(TARGET) --models-dir $(MODELS) $(ARGS)

rollback: $(STAMP)
	$(PY) -m deploy rollback $(TARGET) $(ARGS)

clean:
	rm -rf $(MODELS) .pytest_cache

# The emulated Pi (Debian 12 arm64 under qemu), built once into ~/.cache/digit-edge/pi-vm.
pi-vm: $(STAMP)
	$(PY) -m deploy.pivm build

# make test-pi [PI=pi@raspberrypi.local]: deploy for real and prove the service lives, on the
# emulated Pi booted from the cached image, or on a real Pi when PI is given. PI_CHECKS picks
# checks by marker (.ci/run: "pi and not pi_extra").
PI_CHECKS ?= pi
test-pi: $(STAMP) $(if $(PI),,pi-vm)
	PI=$(PI) MODELS=$(MODELS) $(PY) -m pytest -m "$(PI_CHECKS)" tests/pi $(PYTEST_ARGS)

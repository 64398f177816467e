"""Which accelerator is here, and how to train on it.

Nothing here fails on a machine without a GPU: every function has a CPU answer.
TensorFlow is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from typing import Any


def gpus() -> list[str]:
    """Names of the GPUs TensorFlow can see (empty on a CPU-only machine)."""
    import tensorflow as tf

    return [device.name for device in tf.config.list_physical_devices("GPU")]


def gpu_count() -> int:
    """How many GPUs TensorFlow can see."""
    return len(gpus())


def strategy() -> Any:
    """A ``tf.distribute`` strategy for this machine.

    * several GPUs: ``MirroredStrategy`` (data parallel, one replica per GPU);
    * one GPU: ``OneDeviceStrategy`` on it;
    * no GPU: TensorFlow's default strategy (plain CPU execution).

    Build and compile models inside ``with strategy().scope():``.
    """
    import tensorflow as tf

    count = gpu_count()
    if count > 1:
        return tf.distribute.MirroredStrategy()
    if count == 1:
        return tf.distribute.OneDeviceStrategy("/gpu:0")
    return tf.distribute.get_strategy()


def gains_from_mixed_precision() -> bool:
    """True when every visible GPU has tensor cores (compute capability 7.0 or newer).

    CPUs never gain: on this course's 2-core test machines ``mixed_float16`` made training
    2.4-4x slower.
    """
    import tensorflow as tf

    devices = tf.config.list_physical_devices("GPU")
    if not devices:
        return False
    for device in devices:
        details = tf.config.experimental.get_device_details(device)
        capability = details.get("compute_capability") or (0, 0)
        if tuple(capability) < (7, 0):
            return False
    return True


def set_precision() -> str:
    """Use ``mixed_float16`` where it pays off (modern GPUs), ``float32`` elsewhere.

    Returns the name of the global Keras dtype policy now in force. With mixed precision,
    give the model's last layer ``dtype="float32"`` so the softmax and loss stay precise.
    """
    import keras

    policy = "mixed_float16" if gains_from_mixed_precision() else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def describe() -> str:
    """A short, human-readable line about the compute this notebook runs on."""
    found = gpus()
    if not found:
        return "CPU only (no GPU visible to TensorFlow)"
    return f"{len(found)} GPU(s): {', '.join(found)}"

"""A dataset in the course's layout: X is (features, examples) float64, Y is (1, examples) of 0./1. labels.

Any number of features n ≥ 1; an image dataset also remembers its image shape (H, W, C), each column of X
being one image's pixels / 255 in row-major H × W × C order, so that views can draw examples and weights
as pictures.
"""

from dataclasses import dataclass

import numpy as np

# the widest input TrainLab takes (150 × 150 × 3 = 67,500 pixels fit), and the most numbers one dataset may
# hold, train and test together: 2^24 float64 are 128 MiB, its [X; 1] copy as much, the memory budget's 256 MiB
MAX_FEATURES = 2**17
MAX_VALUES = 2**24

DATA_DIR_ENV = "TRAINLAB_DATA_DIR"  # where the course's files and uploads are, when no data dir is given

ImageShape = tuple[int, int, int]  # (height, width, channels)


@dataclass(frozen=True)
class Dataset:
    name: str
    X_train: np.ndarray  # (n, m)
    Y_train: np.ndarray  # (1, m)
    X_test: np.ndarray | None  # (n, m_test)
    Y_test: np.ndarray | None  # (1, m_test)
    note: str = ""  # where the data came from, for people
    image_shape: ImageShape | None = None  # (H, W, C) when each column is an image

    @property
    def n_features(self) -> int:
        return self.X_train.shape[0]

    @property
    def planar(self) -> bool:
        """Two features: a plane a decision boundary can be drawn over."""
        return self.n_features == 2

    @property
    def m_test(self) -> int:
        return 0 if self.X_test is None else self.X_test.shape[1]


class DatasetUnavailable(ValueError):  # noqa: N818 - the name the rest of TrainLab uses
    """The dataset exists but cannot be had here (e.g. football without the course's data.mat)."""

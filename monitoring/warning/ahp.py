"""Weights from an AHP pairwise-comparison matrix (Saaty), with the consistency ratio that decides if it is usable."""

from dataclasses import dataclass

import numpy as np

from config.errors import ValidationError

# Saaty's random consistency index by matrix size.
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
MAX_CONSISTENCY_RATIO = 0.1


@dataclass(frozen=True)
class AhpResult:
    weights: list[float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float


def ahp_weights(matrix: list[list[float]], *, field: str = "ahp_matrix") -> AhpResult:
    """Principal-eigenvector weights of a reciprocal comparison matrix; rejects CR > 0.1 with a clear error."""
    n = len(matrix)
    if n < 2 or n > max(RANDOM_INDEX):
        raise ValidationError(f"The comparison matrix needs 2 to {max(RANDOM_INDEX)} rows; got {n}.", field=field)
    if any(len(row) != n for row in matrix):
        raise ValidationError(f"The comparison matrix must be square ({n}×{n}).", field=field)
    a = np.asarray(matrix, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValidationError("Comparison values must be positive numbers (1/9 … 9).", field=field)
    for i in range(n):
        if abs(a[i, i] - 1) > 1e-9:
            raise ValidationError(f"The diagonal must be 1 (row {i + 1}).", field=field)
        for j in range(i + 1, n):
            if abs(a[i, j] * a[j, i] - 1) > 1e-3:
                raise ValidationError(
                    f"The matrix must be reciprocal: entry ({i + 1},{j + 1}) is {a[i, j]:g} so ({j + 1},{i + 1}) "
                    f"must be {1 / a[i, j]:.4g}, not {a[j, i]:g}.",
                    field=field,
                )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lambda_max = float(values[k].real)
    principal = np.abs(vectors[:, k].real)
    weights = principal / principal.sum()
    ci = (lambda_max - n) / (n - 1)
    cr = ci / RANDOM_INDEX[n] if RANDOM_INDEX[n] else 0.0
    if cr > MAX_CONSISTENCY_RATIO:
        raise ValidationError(
            f"The comparison matrix is inconsistent: consistency ratio {cr:.3f} is above {MAX_CONSISTENCY_RATIO}. "
            "Revise the judgements so that, e.g., if A ≻ B and B ≻ C then A ≻ C more strongly.",
            field=field,
            code="inconsistent_matrix",
        )
    return AhpResult([round(float(w), 6) for w in weights], round(lambda_max, 6), round(ci, 6), round(cr, 6))

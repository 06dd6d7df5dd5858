"""CloudWatch's percentile statistics, which moto answers with None."""

from __future__ import annotations

import math
from typing import Any

from moto.cloudwatch import models as cloudwatch_models


# ------------------------------------------------------------------- CloudWatch
# moto answers None for percentile statistics (p50, p99.9, ...); compute them from the raw
# values (nearest rank), which is what CloudWatch does for raw, unaggregated data.
original_statistic = cloudwatch_models.Statistics.get_statistics_for_type


def get_statistics_for_type(self: Any, stat: str) -> Any:
    if len(stat) > 1 and stat[0] == "p":
        try:
            percentile = float(stat[1:])
        except ValueError:
            return original_statistic(self, stat)
        values = sorted(self.metric_single_values_list)
        if not values:
            return None
        rank = max(1, min(len(values), math.ceil(percentile / 100 * len(values))))
        return values[rank - 1]
    return original_statistic(self, stat)


cloudwatch_models.Statistics.get_statistics_for_type = get_statistics_for_type

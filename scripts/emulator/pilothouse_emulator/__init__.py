"""Pilothouse's extension of moto's server, one module per concern (README, "What is emulated").

Importing the package patches moto's models in place: ECS rollouts and events (ecs), target
health (elbv2), scaling activities (autoscaling), percentile statistics (cloudwatch), log filter
patterns and time order (logs), Logs Insights queries (insights), and what our Terraform needs to apply (terraform_gaps). The server and its control API are in the entry
point, pilothouse_moto.py.
"""

from . import autoscaling, cloudwatch, ecs, elbv2, insights, logs, terraform_gaps  # noqa: F401  (patch moto on import)

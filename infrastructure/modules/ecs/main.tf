locals {
  api_port = 8000
  # Each service gets only the secrets it uses (var.service_secret_keys); ECS injects each as an
  # environment variable at start.
  secrets = {
    for service, names in var.service_secret_keys : service => [for name in names : { name = name, valueFrom = var.secret_arns[name] }]
  }
  environment = {
    api = [
      { name = "PORT", value = tostring(local.api_port) },
      { name = "HOST", value = "0.0.0.0" },
    ]
    worker = [
      { name = "CHROMIUM_PATH", value = "/usr/bin/chromium" },
      { name = "STOP_GRACE_MS", value = "20000" },
      { name = "ENVIRONMENT", value = var.environment },
    ]
  }
}

data "aws_region" "current" {}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "logs_key" {
  source          = "../kms"
  description     = "${var.name} service logs"
  cloudwatch_logs = true
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = var.services
  name              = "/ecs/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.logs_key.arn
}

# ECS forgets a stopped task about an hour after it stops. Its "Task State Change" (STOPPED) and
# "Deployment State Change" events, delivered here by EventBridge, are the service page's 30-day
# history (stop reason and code, exit codes, task definition and deployment).
resource "aws_cloudwatch_log_group" "ecs_events" {
  #checkov:skip=CKV_AWS_338: a 30-day operational history (the service page's); who changed what is kept by CloudTrail
  name              = "/aws/events/${var.name}/ecs"
  retention_in_days = 30
  kms_key_id        = module.logs_key.arn
}

locals {
  ecs_history_rules = {
    task-stopped = {
      description = "ECS tasks of ${var.name} that stopped"
      pattern = {
        source        = ["aws.ecs"]
        "detail-type" = ["ECS Task State Change"]
        detail        = { clusterArn = [aws_ecs_cluster.this.arn], lastStatus = ["STOPPED"] }
      }
    }
    deployment = {
      description = "ECS deployments of ${var.name}'s services changing state"
      pattern = {
        source        = ["aws.ecs"]
        "detail-type" = ["ECS Deployment State Change"]
        resources     = [for s in aws_ecs_service.this : s.id]
      }
    }
  }
}

resource "aws_cloudwatch_event_rule" "ecs_history" {
  for_each      = local.ecs_history_rules
  name          = "${var.name}-ecs-${each.key}"
  description   = each.value.description
  event_pattern = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "ecs_history" {
  for_each = aws_cloudwatch_event_rule.ecs_history
  rule     = each.value.name
  arn      = aws_cloudwatch_log_group.ecs_events.arn
}

# EventBridge writes to a log group only where the group's resource policy lets it, and only these rules.
data "aws_iam_policy_document" "ecs_events_to_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ecs_events.arn}:*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "delivery.logs.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.ecs_history : rule.arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "ecs_events" {
  policy_name     = "${var.name}-ecs-events-to-logs"
  policy_document = data.aws_iam_policy_document.ecs_events_to_logs.json
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "The api and worker tasks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "api_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "The api, from the ALB only"
  referenced_security_group_id = var.alb_security_group_id
  from_port                    = local.api_port
  to_port                      = local.api_port
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "out" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS out: ECR, SSM, S3, Upstash, and the public pages the worker renders"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "out_http" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTP out: public pages the worker renders (its egress proxy refuses private addresses)"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "redis" {
  security_group_id = aws_security_group.tasks.id
  description       = "Redis over TLS (Upstash listens on 6379)"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 6379
  to_port           = 6379
  ip_protocol       = "tcp"
}

resource "aws_ecs_task_definition" "this" {
  for_each                 = var.services
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arns[each.key]

  # A writable /tmp on an otherwise read-only root file system (Chromium writes its profile there).
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([{
    name                   = each.key
    image                  = var.images[each.key]
    essential              = true
    readonlyRootFilesystem = true
    user                   = "node"
    portMappings           = each.key == "api" ? [{ containerPort = local.api_port, protocol = "tcp" }] : []
    environment            = local.environment[each.key]
    secrets                = local.secrets[each.key]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    stopTimeout            = 30
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = each.key
      }
    }
  }])

  lifecycle {
    # Deploys register new revisions (the deploy workflow); Terraform only creates the first.
    ignore_changes = [container_definitions]
  }
}

resource "aws_ecs_service" "this" {
  for_each              = var.services
  name                  = each.key
  cluster               = aws_ecs_cluster.this.id
  task_definition       = aws_ecs_task_definition.this[each.key].arn
  desired_count         = each.value.desired_count
  launch_type           = "FARGATE"
  platform_version      = "LATEST"
  propagate_tags        = "SERVICE"
  wait_for_steady_state = false

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = each.key == "api" ? [var.api_target_group_arn] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = "api"
      container_port   = local.api_port
    }
  }

  lifecycle {
    # Autoscaling and the control plane set the count; deploys set the task definition.
    ignore_changes = [desired_count, task_definition]
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each           = var.services
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[each.key].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min_count
  max_capacity       = each.value.max_count
}

resource "aws_appautoscaling_policy" "api_cpu" {
  name               = "${var.name}-api-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.this["api"].resource_id
  scalable_dimension = aws_appautoscaling_target.this["api"].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.api_cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "worker_backlog" {
  name               = "${var.name}-worker-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.this["worker"].resource_id
  scalable_dimension = aws_appautoscaling_target.this["worker"].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.worker_backlog_per_task_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    # Jobs waiting per running worker task: the worker publishes the backlog
    # (worker/backlog-metric.ts), Container Insights the task count.
    customized_metric_specification {
      metrics {
        id          = "backlog"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "Pilothouse"
            metric_name = "QueueBacklog"
            dimensions {
              name  = "Environment"
              value = var.environment
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.this.name
            }
            dimensions {
              name  = "ServiceName"
              value = "worker"
            }
          }
        }
      }
      metrics {
        id          = "backlog_per_task"
        label       = "Jobs waiting per worker task"
        expression  = "backlog / IF(tasks > 0, tasks, 1)"
        return_data = true
      }
    }
  }
}

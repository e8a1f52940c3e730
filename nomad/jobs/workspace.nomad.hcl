# One 2Bot workspace: the runtime image on the docker driver, sized by the plan.
#
# The NomadDriver (nomad/src/driver/nomad.driver.ts) submits the same job as JSON, built by
# nomad/src/job/workspace-job.ts; nomad/src/job/workspace-hcl.test.ts parses this file and checks
# that every field below matches. Edit both together.
#
# Nomad reads block labels literally (no variables), so replace WORKSPACE_ID in the job label:
#   sed "s/WORKSPACE_ID/$ID/" nomad/jobs/workspace.nomad.hcl > /tmp/ws.nomad.hcl
#   nomad var put -force nomad/jobs/workspace-$ID token=@token.txt   # the workspace token, from a file
#   nomad job run -var workspace_id=$ID -var plan=PRO -var memory_mb=2048 -var cpu_mhz=4000 \
#     -var disk_mb=5120 -var image=... -var api_url=... /tmp/ws.nomad.hcl
# Durations are written here as "10s"; the JSON API takes nanoseconds.

variable "workspace_id" {
  type = string
}

variable "user_id" {
  type    = string
  default = ""
}

variable "organization_id" {
  type    = string
  default = ""
}

variable "plan" {
  type    = string
  default = "FREE"
}

# Plan sizes: nomad/src/job/plan-limits.ts (CPU: 2,000 MHz per vCPU).
variable "memory_mb" {
  type    = number
  default = 512
}

variable "cpu_mhz" {
  type    = number
  default = 1000
}

variable "disk_mb" {
  type    = number
  default = 100
}

variable "image" {
  type = string
}

variable "api_url" {
  type = string
}

# 1 = running, 0 = asleep. ("count" itself is a reserved variable name in HCL2 tools.)
variable "instance_count" {
  type    = number
  default = 1
}

variable "datacenters" {
  type    = list(string)
  default = ["*"]
}

job "workspace-WORKSPACE_ID" {
  type        = "service"
  datacenters = var.datacenters

  meta {
    workspace_id    = var.workspace_id
    user_id         = var.user_id
    organization_id = var.organization_id
    plan            = var.plan
  }

  # A plan change re-registers the job: the new allocation starts as a canary beside the old one
  # and is promoted once healthy; a failed canary reverts to the last stable version.
  update {
    max_parallel      = 1
    canary            = 1
    auto_promote      = true
    auto_revert       = true
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    stagger           = "30s"
  }

  group "runtime" {
    count = var.instance_count

    # Bounds for the scale endpoint: asleep (0) or running (1).
    scaling {
      enabled = false
      min     = 0
      max     = 1
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "15s"
      mode     = "delay"
    }

    reschedule {
      unlimited      = true
      delay          = "15s"
      delay_function = "exponential"
      max_delay      = "5m"
    }

    ephemeral_disk {
      size = var.disk_mb
    }

    network {
      port "health" {
        to = 8081
      }
    }

    service {
      name     = "twobot-workspace"
      provider = "nomad"
      port     = "health"
      tags     = ["workspace-${var.workspace_id}", "plan-${var.plan}"]

      check {
        name     = "runtime-health"
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "runtime" {
      driver       = "docker"
      kill_timeout = "30s"

      config {
        image = var.image
        ports = ["health"]
      }

      env {
        TWOBOT_API_URL      = var.api_url
        TWOBOT_WORKSPACE_ID = var.workspace_id
        TWOBOT_HEALTH_PORT  = "8081"
        TWOBOT_HEALTH_HOST  = "0.0.0.0"
        # Bulkheads: each service run and each gateway in a worker thread with its own memory limit.
        TWOBOT_ISOLATION    = "worker"
        # The platform on Workers cannot read the allocation: the runtime reports its own usage.
        TWOBOT_USAGE_REPORT_SECONDS = "60"
      }

      # The workspace token: read from the Nomad Variable only this job may read, rendered into
      # secrets/ and exported to the task's environment; never in the job, its meta or logs.
      template {
        data        = <<EOT
{{ with nomadVar (printf "nomad/jobs/%s" (env "NOMAD_JOB_ID")) }}TWOBOT_WORKSPACE_TOKEN={{ .token }}{{ end }}
EOT
        destination = "secrets/workspace.env"
        env         = true
        change_mode = "restart"
      }

      resources {
        cpu    = var.cpu_mhz
        memory = var.memory_mb
      }

      logs {
        max_files     = 3
        max_file_size = 10
      }
    }
  }
}

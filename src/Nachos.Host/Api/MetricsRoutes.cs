using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Shared.Monitoring;
using Nachos.Shared.Study;

namespace Nachos.Host.Api;

/// <summary>GET /metrics: the work queue's figures for the whole cluster: task counts, device busy time, each study's device-seconds, task durations, journal latency.</summary>
public static class MetricsRoutes
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", async ([FromServices] ControlPlane plane) =>
        {
            var overview = await plane.Overview();
            var text = new PrometheusText()
                .Family("nachos_tasks", "gauge", "Training tasks in the work queue by state (queued includes the tasks of paused studies).")
                .Sample("nachos_tasks", overview.Studies.Sum(s => s.Pending), ("state", "queued"))
                .Sample("nachos_tasks", overview.Studies.Sum(s => s.Running), ("state", "running"))
                .Sample("nachos_tasks", overview.Studies.Sum(s => s.Succeeded), ("state", "completed"))
                .Sample("nachos_tasks", overview.Studies.Sum(s => s.Failed), ("state", "failed"));

            text.Family("nachos_device_busy_ratio", "gauge", "Fraction of the time since the work queue first saw the device that it held a task.");
            foreach (var d in overview.Devices) text.Sample("nachos_device_busy_ratio", d.BusyRatio, ("node", d.Node), ("device", d.Device));
            text.Family("nachos_device_busy_seconds_total", "counter", "Seconds the device held a task since the work queue first saw it.");
            foreach (var d in overview.Devices) text.Sample("nachos_device_busy_seconds_total", d.BusySeconds, ("node", d.Node), ("device", d.Device));

            text.Family("nachos_task_duration_seconds", "histogram", "Task attempts the cluster's devices ended since the work queue last started, by outcome.");
            foreach (var (outcome, histogram) in overview.TaskDurations ?? new Dictionary<string, HistogramSnapshot>()) text.Histogram("nachos_task_duration_seconds", histogram, ("outcome", outcome));

            text.Family("nachos_study_device_seconds", "gauge", "Device-seconds of a study's succeeded tasks (their trainer's clock), by stage.");
            var saved = new List<(string Study, double Share)>();
            foreach (var study in overview.Studies)
            {
                var cost = StudyCost.Of((await plane.Tasks(study.StudyId)).Tasks, null);
                foreach (var stage in cost.Stages) text.Sample("nachos_study_device_seconds", stage.DeviceSeconds, ("study", study.StudyId), ("stage", stage.Stage));
                if (cost.Saved is { } v) saved.Add((study.StudyId, v.Share));
            }
            text.Family("nachos_study_scheduler_saved_ratio", "gauge", "Estimated share of a study's inner search its scheduler saved by stopping trials early.");
            foreach (var (study, share) in saved) text.Sample("nachos_study_scheduler_saved_ratio", share, ("study", study));

            text.Family("nachos_journal_write_seconds", "histogram", "Work-queue journal writes: from PersistAsync to its callback.");
            text.Histogram("nachos_journal_write_seconds", overview.JournalWrites);
            return Results.Text(text.ToString(), PrometheusText.ContentType);
        });
}

using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>How the dashboard names a trained model (a study task, by its <see cref="TaskAddress"/>).</summary>
public static class ModelNames
{
    extension(TaskAddress model)
    {
        /// <summary>An HTML id: letters, digits and dashes only.</summary>
        public string Anchor => "model-" + model.Folder.Replace('/', '-');

        public string Title => model.IsRefit ? $"outer fold {model.Outer} · refit"
            : model.IsStress ? $"outer fold {model.Outer} · stress test"
            : $"outer fold {model.Outer} · trial {model.Trial} · inner split {model.Split}";
    }
}

namespace Nachos.Host.Dashboard;

/// <summary>Where a served page belongs in the dashboard's navigation.</summary>
public enum DashboardSection
{
    Studies,
    Study,
    Models,
    Nodes,
    Other,
}

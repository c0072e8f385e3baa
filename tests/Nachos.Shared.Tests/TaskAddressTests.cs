using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class TaskAddressTests
{
    [Fact]
    public void An_inner_split_task_id_reads_as_its_parts_and_folder()
    {
        var a = TaskAddress.Parse("my.study/o2/t11/s1");

        Assert.Equal(("my.study", 2, (int?)11, (int?)1, false, true), (a.Study, a.Outer, a.Trial, a.Split, a.IsRefit, a.IsStudyTask));
        Assert.Equal("o2/t11/s1", a.Folder);
        Assert.Equal("my.study/o2/t11/s1", a.ToString());
        Assert.Equal("my.study/o2/t11", a.OwnerId);
        Assert.Equal(TaskAddress.InnerSplit("my.study", 2, 11, 1), a);
    }

    [Fact]
    public void A_refit_task_id_reads_as_its_fold_and_belongs_to_the_fold()
    {
        var a = TaskAddress.Parse("s/o0/refit");

        Assert.Equal(("s", 0, (int?)null, (int?)null, true, true), (a.Study, a.Outer, a.Trial, a.Split, a.IsRefit, a.IsStudyTask));
        Assert.Equal("o0/refit", a.Folder);
        Assert.Equal("s/o0", a.OwnerId);
        Assert.Equal(TaskAddress.Refit("s", 0), a);
    }

    [Fact]
    public void A_stress_task_id_reads_as_its_fold_belongs_to_the_fold_and_sorts_after_the_refit()
    {
        var a = TaskAddress.Parse("s/o4/stress");

        Assert.Equal(("s", 4, (int?)null, (int?)null, false, true, true), (a.Study, a.Outer, a.Trial, a.Split, a.IsRefit, a.IsStress, a.IsStudyTask));
        Assert.Equal("o4/stress", a.Folder);
        Assert.Equal("s/o4", a.OwnerId);
        Assert.Equal(TaskAddress.Stress("s", 4), a);
        Assert.NotEqual(TaskAddress.Refit("s", 4), a);
        Assert.Equal(a, TaskAddress.FromFolder("s", "o4/stress"));
        Assert.Equal([TaskAddress.InnerSplit("s", 4, 0, 0), TaskAddress.Refit("s", 4), a, TaskAddress.Refit("s", 5)],
            new[] { TaskAddress.Refit("s", 5), a, TaskAddress.Refit("s", 4), TaskAddress.InnerSplit("s", 4, 0, 0) }.Order().ToList());
    }

    [Fact]
    public void Nachos_train_s_own_folders_are_addresses_outside_the_search()
    {
        Assert.Equal("tiny/o1/s0", TaskAddress.Standalone("tiny", 1, 0).ToString());
        Assert.Equal("tiny/o1/train", TaskAddress.Standalone("tiny", 1, null).ToString());
        Assert.False(TaskAddress.Parse("tiny/o1/s0").IsStudyTask);
        Assert.Equal(TaskAddress.Standalone("tiny", 1, null), TaskAddress.Parse("tiny/o1/train"));
    }

    [Fact]
    public void Entity_ids_and_folders_of_folds_and_trials()
    {
        Assert.Equal("s/o3", TaskAddress.FoldId("s", 3));
        Assert.Equal("s/o3/t7", TaskAddress.TrialId("s", 3, 7));
        Assert.Equal("o3/t7", TaskAddress.TrialFolder(3, 7));
        Assert.True(TaskAddress.IsFoldFolder("o12"));
        Assert.False(TaskAddress.IsFoldFolder("o"));
        Assert.False(TaskAddress.IsFoldFolder("other"));
        Assert.False(TaskAddress.IsFoldFolder("o01"));
    }

    [Fact]
    public void Every_address_round_trips_through_its_id_and_its_folder()
    {
        var addresses = new List<TaskAddress>();
        foreach (var study in new[] { "s", "my.study", "A-1_b" })
            foreach (var k in new[] { 0, 1, 9, 10, 123, 999_999_999 })
            {
                addresses.Add(TaskAddress.Refit(study, k));
                addresses.Add(TaskAddress.Stress(study, k));
                addresses.Add(TaskAddress.Standalone(study, k, null));
                foreach (var j in new[] { 0, 4, 10, 99 })
                {
                    addresses.Add(TaskAddress.Standalone(study, k, j));
                    foreach (var n in new[] { 0, 7, 100 }) addresses.Add(TaskAddress.InnerSplit(study, k, n, j));
                }
            }
        foreach (var a in addresses)
        {
            Assert.Equal(a, TaskAddress.Parse(a.ToString()));
            Assert.Equal(a.ToString(), TaskAddress.Parse(a.ToString()).ToString());
            Assert.Equal(a, TaskAddress.FromFolder(a.Study, a.Folder));
        }
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
    }

    [Theory]
    [InlineData("", "1 segments")]
    [InlineData("s", "1 segments")]
    [InlineData("s/o0", "2 segments")]
    [InlineData("s/o0/t1/s2/e3/x", "6 segments")]
    [InlineData("s/o0/t1/s2/x", "'x' is not epoch budget 'e'")]
    [InlineData("s/o0/t1/s2/", "'' is not epoch budget 'e'")]
    [InlineData("s/o0/t1/s2/e03", "'e03' is not epoch budget")]
    [InlineData("../o0/refit", "'..' is not a study name")]
    [InlineData("./o0/refit", "'.' is not a study name")]
    [InlineData("/o0/refit", "'' is not a study name")]
    [InlineData("s/../refit", "'..' is not outer fold")]
    [InlineData("s/o0/../s1", "'..' is not trial")]
    [InlineData("s/o0/t1/..", "'..' is not inner split")]
    [InlineData("s/o-1/refit", "'o-1' is not outer fold")]
    [InlineData("s/o0/t-2/s0", "'t-2' is not trial")]
    [InlineData("s/o0/t2/s-1", "'s-1' is not inner split")]
    [InlineData("s/ox/refit", "'ox' is not outer fold")]
    [InlineData("s/o/refit", "'o' is not outer fold")]
    [InlineData("s/o01/refit", "'o01' is not outer fold")]
    [InlineData("s/o+1/refit", "'o+1' is not outer fold")]
    [InlineData("s/o 1/refit", "'o 1' is not outer fold")]
    [InlineData("s/o1/t1.5/s0", "'t1.5' is not trial")]
    [InlineData("s/o1/t1/x0", "'x0' is not inner split")]
    [InlineData("s/o9999999999/refit", "'o9999999999' is not outer fold")]
    [InlineData("s/o1/Refit", "'Refit' is neither refit, stress nor a trial")]
    [InlineData("s/t1/o1/s0", "'t1' is not outer fold")]
    [InlineData("s/o1/s0/t1", "'s0' is not trial")]
    public void A_malformed_task_id_is_refused_naming_the_id_and_the_fault(string id, string fault)
    {
        Assert.False(TaskAddress.TryParse(id, out var address, out var error));
        Assert.Null(address);
        Assert.Contains(fault, error);
        var e = Assert.Throws<FormatException>(() => TaskAddress.Parse(id));
        Assert.StartsWith($"task id '{id}': ", e.Message);
        Assert.Contains(fault, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Null(TaskAddress.FromFolder("s", id));
    }

    [Fact]
    public void Addresses_are_built_only_from_a_study_name_and_non_negative_indices()
    {
        Assert.Throws<ArgumentException>(() => TaskAddress.Refit("..", 0));
        Assert.Throws<ArgumentException>(() => TaskAddress.Refit("a/b", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskAddress.Refit("s", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskAddress.InnerSplit("s", 0, -1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TaskAddress.InnerSplit("s", 0, 0, -1));
        Assert.False(TaskAddress.TryParse(null, out _, out var error));
        Assert.Equal("no task id", error);
    }

    [Fact]
    public void Addresses_sort_by_fold_then_trials_and_their_splits_then_the_refit()
    {
        var sorted = new[] { "s/o1/t0/s0", "s/o0/refit", "s/o0/t10/s0", "s/o0/t2/s1", "s/o0/t2/s0" }.Select(TaskAddress.Parse).Order().Select(a => a.ToString());

        Assert.Equal(["s/o0/t2/s0", "s/o0/t2/s1", "s/o0/t10/s0", "s/o0/refit", "s/o1/t0/s0"], sorted);
    }

    [Fact]
    public void A_queued_task_s_id_is_its_address()
    {
        var hp = Hyperparameters.Empty;
        var split = TaskSpec.ForSplit("s", 1, 4, 2, hp, 5, 1);
        var refit = TaskSpec.Refit("s", 1, 4, hp, 5, 1);

        Assert.Equal("s/o1/t4/s2", split.TaskId);
        Assert.Equal(TaskAddress.Parse(split.TaskId), split.Address());
        Assert.Equal("s/o1/t4", split.Owner);
        Assert.Equal("s/o1/refit", refit.TaskId);
        Assert.Equal(TaskAddress.Parse(refit.TaskId), refit.Address());
        Assert.Equal("s/o1", refit.Owner);
    }
}

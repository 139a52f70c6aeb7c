"""The ablation grid as data: one target per (dataset, backbone, model), one suite per dataset.

`bazel run //experiments:affectnet_densenet_emotion_gcn` runs one configuration,
`bazel run //experiments:ablation_affectnet` all of a dataset's; flags after `--` pass through.
"""

# Adding an ablation is one line here.
ABLATIONS = [
    ("affectnet", "densenet", "single_task"),
    ("affectnet", "densenet", "multi_task"),
    ("affectnet", "densenet", "emotion_gcn"),
    ("affectnet", "bregnext", "single_task"),
    ("affectnet", "bregnext", "multi_task"),
    ("affectnet", "bregnext", "emotion_gcn"),
    ("affwild2", "densenet", "single_task"),
    ("affwild2", "densenet", "multi_task"),
    ("affwild2", "densenet", "emotion_gcn"),
    ("affwild2", "bregnext", "single_task"),
    ("affwild2", "bregnext", "multi_task"),
    ("affwild2", "bregnext", "emotion_gcn"),
]

def _suite_target(name, ablations):
    # The grid is baked into the launcher (not the target's args, which only `bazel run`
    # applies), so bazel-bin/experiments/<name> and tests run the same grid.
    native.genrule(
        name = name + "_launcher",
        srcs = ["run_suite.sh"],
        outs = [name + ".sh"],
        cmd = "sed -e 's|@ABLATIONS@|%s|' -e 's|@SUITE_NAME@|%s|' $< > $@" % (
            ",".join(["%s:%s:%s" % a for a in ablations]),
            name,
        ),
    )
    native.sh_binary(
        name = name,
        srcs = [name + ".sh"],
        data = [":suite"],
        visibility = ["//tests:__subpackages__"],
    )

def ablation_grid(ablations = ABLATIONS):
    """Declares <dataset>_<backbone>_<model> for each ablation and ablation_<dataset> suites."""
    datasets = []
    for dataset, backbone, model in ablations:
        _suite_target("%s_%s_%s" % (dataset, backbone, model), [(dataset, backbone, model)])
        if dataset not in datasets:
            datasets.append(dataset)
    for dataset in datasets:
        _suite_target("ablation_" + dataset, [a for a in ablations if a[0] == dataset])

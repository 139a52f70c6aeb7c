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

# The label graph's design space (issue #32, item 3): DenseNet-121 Emotion-GCN on AffectNet with
# one change from the reference graph per line, (variant, runner flags joined by "+"). The first
# is the reference graph itself, which every other line is judged against.
GRAPH_ABLATIONS = [
    ("reference", ""),
    ("tau_0.3", "graph_threshold=0.3"),
    ("p_0.2", "graph_reweight=0.2"),
    ("source_affectnet", "graph_source=affectnet"),
    ("source_ones", "graph_source=ones"),
    ("source_none", "graph_source=none"),
    ("expression_edges", "graph_expression_edges"),
    ("embeddings_random", "node_embeddings=random"),
    ("embeddings_onehot", "node_embeddings=onehot"),
    ("embeddings_glove6b50d", "node_embeddings=glove-6b-50d"),
]

def _entry(a):
    return ":".join([x for x in a])

def _suite_target(name, ablations, fetch_glove = False, synthetic_defaults = ""):
    # The grid is baked into the launcher (not the target's args, which only `bazel run`
    # applies), so bazel-bin/experiments/<name> and tests run the same grid.
    native.genrule(
        name = name + "_launcher",
        srcs = ["run_suite.sh"],
        outs = [name + ".sh"],
        cmd = ("sed -e 's|@ABLATIONS@|%s|' -e 's|@SUITE_NAME@|%s|' -e 's|@FETCH_GLOVE@|%s|' " +
               "-e 's|@SYNTHETIC_DEFAULTS@|%s|' $< > $@") % (
            ",".join([_entry(a) for a in ablations]),
            name,
            "1" if fetch_glove else "0",
            synthetic_defaults,
        ),
    )
    native.sh_binary(
        name = name,
        srcs = [name + ".sh"],
        data = [":suite"] + (["//tools:fetch_glove6b"] if fetch_glove else []),
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

def graph_ablation_suite(dataset = "affectnet", graph_ablations = GRAPH_ABLATIONS):
    """Declares graph_ablations_<dataset>: DenseNet-121 Emotion-GCN over GRAPH_ABLATIONS."""
    entries = []
    for variant, flags in graph_ablations:
        entry = (dataset, "densenet", "emotion_gcn", variant)
        entries.append(entry + ((flags,) if flags else ()))
    fetch = len([f for _, f in graph_ablations if "glove-6b-50d" in f]) > 0

    # On the synthetic twin, 3 epochs (the smoke schedule's before its StepLR drop, 95% accuracy
    # on the reference graph): ten runs in the main job's time on 2 cores. Flags the user gives
    # win; with --data_root the paper schedule runs as always.
    _suite_target(
        "graph_ablations_" + dataset,
        entries,
        fetch_glove = fetch,
        synthetic_defaults = "epochs=3",
    )

#!/usr/bin/env python3
"""README.md and docs/*.md: every relative link resolves (the file, and the heading its #anchor
names, slugged as GitHub does), and every Bazel label they name (//pkg:target) is a target of the
workspace: a `name = "..."` in pkg/BUILD, or one of the ablation grid's targets
(experiments/ablations.bzl: <dataset>_<backbone>_<model> and ablation_<dataset>).

The documents are this test's data; the workspace they sit in is found through their runfiles
link, so the BUILD files read are the checkout's own."""
import os
import re
import sys

LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
LABEL = re.compile(r'(?<![\w/])//([a-z_][\w/]*):([\w.+-]+)')
HEADING = re.compile(r'^#{1,6}\s+(.*?)\s*$')


def slug(heading):
    text = re.sub(r'[`*_]|\[([^\]]*)\]\([^)]*\)', lambda m: m.group(1) or '', heading).strip().lower()
    return re.sub(r'\s', '-', re.sub(r'[^\w\- ]', '', text))


def anchors(path):
    found, fence = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        m = None if fence else HEADING.match(line)
        if m:
            found.add(slug(m.group(1)))
    return found


def targets(root, package, cache={}):
    if package not in cache:
        names = set()
        build = os.path.join(root, package, 'BUILD')
        if os.path.exists(build):
            src = open(build).read()
            names.update(re.findall(r'\bname\s*=\s*"([^"]+)"', src))
            for block in re.findall(r'exports_files\(\s*\[([^\]]*)\]', src):
                names.update(re.findall(r'"([^"]+)"', block))
        if package == 'experiments':
            bzl = open(os.path.join(root, 'experiments', 'ablations.bzl')).read()
            for dataset, backbone, model in re.findall(r'\("(\w+)",\s*"(\w+)",\s*"(\w+)"\)', bzl):
                names.update({'%s_%s_%s' % (dataset, backbone, model), 'ablation_' + dataset})
            # graph_ablation_suite(dataset = "...") declares graph_ablations_<dataset>.
            for args in re.findall(r'^graph_ablation_suite\(([^)]*)\)', src, re.M):
                dataset = re.search(r'"(\w+)"', args)
                names.add('graph_ablations_' + (dataset.group(1) if dataset else 'affectnet'))
        cache[package] = names
    return cache[package]


def main():
    runfiles = os.environ.get('RUNFILES_DIR') or os.path.join(os.environ['TEST_SRCDIR'])
    readme = os.path.join(runfiles, 'emogcn_bench', 'README.md')
    root = os.path.dirname(os.path.realpath(readme))
    docs = [os.path.join(root, 'README.md')] + sorted(
        os.path.join(root, 'docs', f) for f in os.listdir(os.path.join(root, 'docs')) if f.endswith('.md'))
    errors, links, labels = [], 0, 0
    for doc in docs:
        rel = os.path.relpath(doc, root)
        text = open(doc, encoding='utf-8').read()
        for n, line in enumerate(text.split('\n'), 1):
            for target in LINK.findall(line):
                if re.match(r'^[a-z]+:', target):
                    continue  # http:, https:, mailto:
                links += 1
                path, _, anchor = target.partition('#')
                dest = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
                if not os.path.exists(dest):
                    errors.append('%s:%d: link %s: no such file %s' % (rel, n, target, os.path.relpath(dest, root)))
                elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                    errors.append('%s:%d: link %s: no heading #%s in %s' % (rel, n, target, anchor, os.path.relpath(dest, root)))
            for package, name in LABEL.findall(line):
                if package == 'visibility':
                    continue  # //visibility:public and the like are Bazel's keywords.
                labels += 1
                if name not in targets(root, package) and not os.path.isfile(os.path.join(root, package, name)):
                    errors.append('%s:%d: //%s:%s is no target (not in %s/BUILD)' % (rel, n, package, name, package))
    for e in errors:
        print('FAIL:', e)
    print('%d documents, %d relative links, %d Bazel labels checked; %d broken' % (len(docs), links, labels, len(errors)))
    if links == 0 or labels == 0:
        print('FAIL: nothing was checked')
        return 1
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())

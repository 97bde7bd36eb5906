//! `-o json`: the matrix as data, `"version": 2`, for scripts. The shape is documented in the
//! README ("JSON output"); new fields may be added within a version, none removed.
//!
//! Written as it is produced (one array element per line), so memory does not grow with the
//! number of connections: the document of a 150,000-pod dump is streamed, never built.
//!
//! Version 2 added the units (`--group-by`): `sources`, `destinations` and `connections`
//! name units (`groups`), and `members` says which group each member is in. With
//! `--group-by pod` every group is one member, named as the member.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::{BLANK, View};

/// Version of the JSON document `matrix -o json` prints.
pub const JSON_VERSION: u32 = 2;

/// Writes the view as JSON.
pub fn write(view: &View, out: &mut dyn Write) -> io::Result<()> {
    let units = view.members();
    let port = view.port.as_ref().map(|q| q.to_string());
    writeln!(out, "{{")?;
    writeln!(out, "  \"version\": {JSON_VERSION},")?;
    writeln!(out, "  \"group_by\": {},", json!(view.group_by.as_str()))?;
    writeln!(out, "  \"port\": {},", json!(port))?;
    writeln!(out, "  \"groups\": [")?;
    for (i, &u) in units.iter().enumerate() {
        let sep = if i + 1 < units.len() { "," } else { "" };
        writeln!(out, "    {}{sep}", group(view, u))?;
    }
    writeln!(out, "  ],")?;
    writeln!(out, "  \"members\": [")?;
    let count: usize = units.iter().map(|&u| view.members_of(u).len()).sum();
    let mut written = 0;
    for &u in &units {
        for &m in view.members_of(u) {
            written += 1;
            let sep = if written < count { "," } else { "" };
            writeln!(out, "    {}{sep}", member(view, m, u))?;
        }
    }
    writeln!(out, "  ],")?;
    // Names quoted once per unit, port sets formatted once per distinct set.
    let mut quoted: Vec<String> = vec![String::new(); view.len()];
    for &u in &units {
        quoted[u] = quote(view.id(u));
    }
    for (name, axis) in [("sources", &view.rows), ("destinations", &view.cols)] {
        let ids: Vec<&str> = axis.iter().map(|&u| quoted[u].as_str()).collect();
        writeln!(out, "  \"{name}\": [{}],", ids.join(", "))?;
    }
    writeln!(out, "  \"connections\": [")?;
    let mut first = true;
    let mut put = |text: &[u8], out: &mut dyn Write| -> io::Result<()> {
        if !text.is_empty() {
            if !first {
                out.write_all(b",\n")?;
            }
            first = false;
            out.write_all(text)?;
        }
        Ok(())
    };
    if view.port.is_none() {
        // Rows are formatted in parallel, a batch at a time, and written in order: memory
        // holds one batch of rows' text, never the document.
        let sets: Vec<Option<String>> = view
            .matrix
            .sets()
            .iter()
            .map(|set| (!set.is_empty()).then(|| quote(&set.to_string())))
            .collect();
        super::write_rows(
            view,
            out,
            || Bundles::new(sets.len()),
            |bundles, ids, r, text| {
                bundles.clear();
                for (j, &id) in ids.iter().enumerate() {
                    if id != BLANK && sets[id as usize].is_some() {
                        bundles.add(id, j);
                    }
                }
                for (id, to) in bundles.iter() {
                    let ports = sets[id as usize].as_deref().unwrap_or_default();
                    let to = to.iter().map(|&j| quoted[view.cols[j]].as_str());
                    line(text, &quoted[r], ports, to);
                }
            },
            &mut put,
        )?;
    } else {
        // A row's destinations bundled by the resolved port, in column order of their first.
        let mut bundles: Vec<(String, Vec<usize>)> = Vec::new();
        for &r in &view.rows {
            bundles.clear();
            for &c in &view.cols {
                let key = match view.cell(r, c).allowed_ports() {
                    Some(p) if !p.is_empty() => p.to_string(),
                    _ => continue,
                };
                match bundles.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, to)) => to.push(c),
                    None => bundles.push((key, vec![c])),
                }
            }
            let mut text = Vec::new();
            for (key, to) in &bundles {
                line(
                    &mut text,
                    &quoted[r],
                    &quote(key),
                    to.iter().map(|&c| quoted[c].as_str()),
                );
            }
            put(&text, out)?;
        }
    }
    if !first {
        writeln!(out)?;
    }
    writeln!(out, "  ]")?;
    writeln!(out, "}}")
}

/// One connection line (no separator): a source, the ports, and the destinations.
fn line<'a>(text: &mut Vec<u8>, from: &str, ports: &str, to: impl Iterator<Item = &'a str>) {
    if !text.is_empty() {
        text.extend_from_slice(b",\n");
    }
    text.extend_from_slice(b"    {\"from\": ");
    text.extend_from_slice(from.as_bytes());
    text.extend_from_slice(b", \"ports\": ");
    text.extend_from_slice(ports.as_bytes());
    text.extend_from_slice(b", \"to\": [");
    for (i, name) in to.enumerate() {
        if i > 0 {
            text.extend_from_slice(b", ");
        }
        text.extend_from_slice(name.as_bytes());
    }
    text.extend_from_slice(b"]}");
}

/// A row's columns bundled by set id, bundles in column order of their first.
struct Bundles {
    slot: Vec<u32>,
    list: Vec<(u32, Vec<usize>)>,
    used: usize,
}

impl Bundles {
    fn new(sets: usize) -> Bundles {
        Bundles {
            slot: vec![u32::MAX; sets],
            list: Vec::new(),
            used: 0,
        }
    }

    fn clear(&mut self) {
        for (id, to) in &mut self.list[..self.used] {
            self.slot[*id as usize] = u32::MAX;
            to.clear();
        }
        self.used = 0;
    }

    fn add(&mut self, id: u32, col: usize) {
        let mut s = self.slot[id as usize];
        if s == u32::MAX {
            s = self.used as u32;
            self.slot[id as usize] = s;
            if self.used == self.list.len() {
                self.list.push((id, Vec::new()));
            }
            self.list[self.used].0 = id;
            self.used += 1;
        }
        self.list[s as usize].1.push(col);
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &[usize])> {
        self.list[..self.used]
            .iter()
            .map(|(id, to)| (*id, to.as_slice()))
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A unit: its id, kind, size, namespaces, the labels all its pods share, and its members.
fn group(view: &View, u: usize) -> Value {
    let members = view.members_of(u);
    let mut obj = Map::new();
    obj.insert("id".into(), json!(view.id(u)));
    obj.insert("kind".into(), json!(view.kind(u)));
    obj.insert("size".into(), json!(members.len()));
    if !view.is_external(u) {
        let eps = &view.cluster.endpoints;
        let mut namespaces: Vec<&str> =
            members.iter().map(|&m| eps[m].namespace.as_str()).collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        obj.insert("namespaces".into(), json!(namespaces));
        let first = &eps[members[0]].labels;
        let common: Map<String, Value> = first
            .iter()
            .filter(|(k, v)| {
                members[1..]
                    .iter()
                    .all(|&m| eps[m].labels.get(k) == Some(*v))
            })
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        obj.insert("labels".into(), Value::Object(common));
    }
    let ids: Vec<&str> = members.iter().map(|&m| view.member_id(m)).collect();
    obj.insert("members".into(), json!(ids));
    Value::Object(obj)
}

/// A member: its id, kind, where it is (namespace and name, or the CIDRs of an external
/// range), and its group.
fn member(view: &View, m: usize, unit: usize) -> Value {
    let matrix = view.matrix;
    if matrix.is_external(m) {
        let range = &matrix.externals[m - matrix.endpoints];
        json!({
            "id": view.member_id(m),
            "kind": view.member_kind(m),
            "cidrs": range.cidrs().iter().map(|n| n.to_string()).collect::<Vec<_>>(),
            "group": view.id(unit),
        })
    } else {
        let ep = &view.cluster.endpoints[m];
        json!({
            "id": view.member_id(m),
            "kind": view.member_kind(m),
            "namespace": ep.namespace,
            "name": ep.name,
            "group": view.id(unit),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full, rendered};
    use super::super::{GroupBy, View};
    use super::*;
    use std::collections::HashMap;

    fn render(view: &View) -> Value {
        serde_json::from_str(&rendered(|w| write(view, w))).expect("valid JSON")
    }

    #[test]
    fn members_then_allowed_connections() {
        let (cluster, matrix) = demo();
        let v = render(&full(&cluster, &matrix, None));
        assert_eq!(v["version"], 2);
        assert_eq!(v["group_by"], "pod");
        assert_eq!(v["port"], Value::Null);
        assert_eq!(
            v["members"][3],
            json!({"id": "shop/deploy/api", "kind": "Deployment", "namespace": "shop", "name": "api", "group": "shop/deploy/api"})
        );
        assert_eq!(
            v["members"][7],
            json!({"id": "0.0.0.0-9.255.255.255", "kind": "External", "cidrs": ["0.0.0.0/5", "8.0.0.0/7"], "group": "0.0.0.0-9.255.255.255"})
        );
        assert_eq!(
            v["groups"][3],
            json!({"id": "shop/deploy/api", "kind": "Deployment", "size": 1, "namespaces": ["shop"],
                   "labels": {"app": "api", "tier": "backend"}, "members": ["shop/deploy/api"]})
        );
        assert_eq!(v["sources"], v["destinations"]);
        let conns = v["connections"].as_array().unwrap();
        assert!(conns.contains(
            &json!({"from": "shop/deploy/frontend", "ports": "TCP 8080", "to": ["shop/deploy/api"]})
        ));
        assert!(conns.contains(
            &json!({"from": "shop/deploy/worker", "ports": "TCP 443", "to": ["0.0.0.0-9.255.255.255", "11.0.0.0-255.255.255.255"]})
        ));
        assert!(conns.iter().all(|c| c["ports"] != "none"));
        let pairs: usize = conns
            .iter()
            .map(|c| c["to"].as_array().unwrap().len())
            .sum();
        assert_eq!(pairs, 37);
    }

    #[test]
    fn with_a_port_the_resolved_port() {
        let (cluster, matrix) = demo();
        let v = render(&full(&cluster, &matrix, Some("http")));
        assert_eq!(v["port"], "TCP http");
        let conns = v["connections"].as_array().unwrap();
        assert!(conns.contains(
            &json!({"from": "ingress-nginx/deploy/controller", "ports": "TCP 8080", "to": ["shop/deploy/frontend"]})
        ));
    }

    #[test]
    fn groups_expand_to_the_connections_of_their_members() {
        let (cluster, matrix) = demo();
        let pods = render(&full(&cluster, &matrix, None));
        let grouped = render(&full(&cluster, &matrix, None).group_by(GroupBy::Class));
        assert_eq!(grouped["group_by"], "class");
        // Expanding every grouped connection to its members' pairs gives the pod-level
        // connections (pairs of one member with itself aside: loopback is not listed).
        let members: HashMap<&str, Vec<&str>> = grouped["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let ids = g["members"].as_array().unwrap();
                (
                    g["id"].as_str().unwrap(),
                    ids.iter().map(|m| m.as_str().unwrap()).collect(),
                )
            })
            .collect();
        let expand = |v: &Value, members: &HashMap<&str, Vec<&str>>| {
            let mut out: Vec<(String, String, String)> = Vec::new();
            for c in v["connections"].as_array().unwrap() {
                for to in c["to"].as_array().unwrap() {
                    for a in &members[c["from"].as_str().unwrap()] {
                        for b in &members[to.as_str().unwrap()] {
                            out.push((a.to_string(), b.to_string(), c["ports"].to_string()));
                        }
                    }
                }
            }
            out
        };
        let mut expanded = expand(&grouped, &members);
        let identity: HashMap<&str, Vec<&str>> = pods["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["id"].as_str().unwrap(), vec![m["id"].as_str().unwrap()]))
            .collect();
        let mut direct = expand(&pods, &identity);
        expanded.sort();
        direct.sort();
        assert_eq!(expanded, direct);
    }
}

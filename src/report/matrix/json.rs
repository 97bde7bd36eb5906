//! `-o json`: the matrix as data, `"version": 1`, for scripts. The shape is documented in the
//! README ("JSON output"); new fields may be added within a version, none removed.

use serde_json::{Value, json};

use super::View;

/// Version of the JSON document `matrix -o json` prints.
pub const JSON_VERSION: u32 = 1;

/// Renders the view as JSON.
pub fn render(view: &View) -> Value {
    let members: Vec<Value> = view
        .members()
        .into_iter()
        .map(|m| member(view, m))
        .collect();
    let connections: Vec<Value> = view
        .connections()
        .map(|(r, c, cell)| {
            json!({
                "from": view.id(r),
                "to": view.id(c),
                "ports": cell.allowed_ports().map(|p| p.to_string()),
            })
        })
        .collect();
    json!({
        "version": JSON_VERSION,
        "port": view.port.as_ref().map(|q| q.to_string()),
        "members": members,
        "sources": view.rows.iter().map(|&m| view.id(m)).collect::<Vec<_>>(),
        "destinations": view.cols.iter().map(|&m| view.id(m)).collect::<Vec<_>>(),
        "connections": connections,
    })
}

fn member(view: &View, m: usize) -> Value {
    let matrix = view.matrix;
    if matrix.is_external(m) {
        let range = &matrix.externals[m - matrix.endpoints];
        json!({
            "id": view.id(m),
            "kind": view.kind(m),
            "cidrs": range.cidrs().iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        })
    } else {
        let ep = &view.cluster.endpoints[m];
        json!({
            "id": view.id(m),
            "kind": view.kind(m),
            "namespace": ep.namespace,
            "name": ep.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{demo, full};
    use super::*;

    #[test]
    fn members_then_allowed_connections() {
        let (cluster, matrix) = demo();
        let v = render(&full(&cluster, &matrix, None));
        assert_eq!(v["version"], 1);
        assert_eq!(v["port"], Value::Null);
        assert_eq!(
            v["members"][3],
            json!({"id": "shop/deploy/api", "kind": "Deployment", "namespace": "shop", "name": "api"})
        );
        assert_eq!(
            v["members"][7],
            json!({"id": "0.0.0.0-9.255.255.255", "kind": "External", "cidrs": ["0.0.0.0/5", "8.0.0.0/7"]})
        );
        assert_eq!(v["sources"], v["destinations"]);
        let conns = v["connections"].as_array().unwrap();
        assert!(conns.contains(
            &json!({"from": "shop/deploy/frontend", "to": "shop/deploy/api", "ports": "TCP 8080"})
        ));
        assert!(conns.iter().all(|c| c["ports"] != "none"));
    }

    #[test]
    fn with_a_port_the_resolved_port() {
        let (cluster, matrix) = demo();
        let v = render(&full(&cluster, &matrix, Some("http")));
        assert_eq!(v["port"], "TCP http");
        let conns = v["connections"].as_array().unwrap();
        assert!(conns.contains(
            &json!({"from": "ingress-nginx/deploy/controller", "to": "shop/deploy/frontend", "ports": "TCP 8080"})
        ));
    }
}

//! v1 ServiceAccount: its labels are what Calico's `serviceAccountSelector` and
//! `serviceAccounts.selector` match.

use super::meta;
use crate::load::LoadOptions;
use crate::load::decode::Decoder;
use crate::model::{Object, ServiceAccount};

/// Decodes a ServiceAccount.
pub fn decode(d: &mut Decoder, opts: &LoadOptions) -> Option<Object> {
    let m = meta::read(d, &opts.default_namespace)?;
    Some(Object::ServiceAccount(ServiceAccount {
        namespace: m.namespace,
        name: m.name.value,
        labels: m.labels,
        span: d.object().span(),
    }))
}

#[cfg(test)]
mod tests {
    use crate::load::{LoadOptions, load_texts};
    use crate::model::Object;

    #[test]
    fn a_service_account_keeps_its_namespace_name_and_labels() {
        let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n  labels: {role: bot}\nautomountServiceAccountToken: false\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n";
        let opts = LoadOptions {
            default_namespace: "apps".into(),
            ..LoadOptions::default()
        };
        let l = load_texts(&[("t.yaml", text)], &opts);
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let sas: Vec<_> = l
            .objects
            .iter()
            .map(|o| match o {
                Object::ServiceAccount(sa) => sa,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            (sas[0].namespace.as_str(), sas[0].name.as_str()),
            ("apps", "robot")
        );
        assert_eq!(sas[0].labels.get("role"), Some("bot"));
        assert!(text[sas[0].span.start as usize..].starts_with("apiVersion"));
        assert_eq!(
            (sas[1].namespace.as_str(), sas[1].name.as_str()),
            ("shop", "web")
        );
        assert!(sas[1].labels.is_empty());
    }
}

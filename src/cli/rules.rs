//! `kubectl netpol rules [NAME|CODE]`: the rule catalogue, and each rule's documentation.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{EXIT_ERROR, EXIT_OK, print};
use crate::lint::registry::{ALL, doc, find};
use crate::load::decode::closest;

/// Arguments of rules.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule name (`shadowed-rule`) or code (`NP301`): print its documentation.
    #[arg(value_name = "NAME|CODE")]
    pub rule: Option<String>,
    /// Print the whole catalogue as Markdown, with every rule's documentation.
    #[arg(long, conflicts_with = "rule")]
    pub markdown: bool,
}

/// Runs rules.
pub fn run(args: Args) -> u8 {
    if args.markdown {
        let mut out = String::from(
            "# Rules\n\n| Code | Name | Severity | Finds |\n| --- | --- | --- | --- |\n",
        );
        for r in ALL {
            out.push_str(&format!(
                "| {} | [{}](#{}) | {} | {} |\n",
                r.code, r.name, r.name, r.severity, r.summary
            ));
        }
        for r in ALL {
            out.push_str(&format!(
                "\n## {}\n\n`{}` · {} · {}\n\n{}\n",
                r.name,
                r.code,
                r.severity,
                r.category.title(),
                demote(doc(r))
            ));
        }
        print(&out);
        return EXIT_OK;
    }
    match args.rule {
        Some(name) => match find(&name) {
            Some(r) => {
                print(&format!(
                    "{} {} ({}, {})\n{}\n\n{}\n",
                    r.code,
                    r.name,
                    r.severity,
                    r.category.title(),
                    r.summary,
                    doc(r)
                ));
                EXIT_OK
            }
            None => {
                let names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
                let hint = closest(&name, &names)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                eprintln!("error: no rule named `{name}`{hint}; `kubectl netpol rules` lists them");
                EXIT_ERROR
            }
        },
        None => {
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(100);
            table.set_header(["code", "name", "severity", "finds"]);
            for r in ALL {
                table.add_row([r.code, r.name, r.severity.as_str(), r.summary]);
            }
            print(&format!(
                "{table}\n`kubectl netpol rules NAME` prints a rule's documentation.\n"
            ));
            EXIT_OK
        }
    }
}

/// Moves the doc's `##` headings one level down, under the rule's own heading.
fn demote(doc: &str) -> String {
    doc.lines()
        .map(|l| {
            if l.starts_with("## ") {
                format!("#{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

//! The SARIF 2.1.0 schema the SARIF outputs (`check -o sarif`, `replay -o sarif`) are
//! validated against.

use serde_json::Value;

use super::root;

/// The SARIF 2.1.0 JSON schema of OASIS (`$id`
/// https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json),
/// vendored from the crates.io package serde-sarif 0.8.0, which ships it as `src/schema.json`.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    );
    // One known erratum of the 2.1.0 schema: the `language` patterns (of `run` and
    // `toolComponent`) have a stray `]` (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`), which
    // the meta-schema's `regex` format rejects, so no validator compiles the file as
    // published. They are corrected in memory as the SARIF TC's fix has it; the vendored
    // file stays as published. We never write `language`.
    let mut fixed = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        if pattern == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
            *pattern = Value::String("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into());
            fixed += 1;
        }
    }
    assert_eq!(fixed, 2, "the erratum is where it was");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

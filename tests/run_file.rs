//! run.json read back (the page's `run=`): a run's file gives back a run that writes the same bytes,
//! and a damaged file is refused with a message naming what is wrong.

use hessian_boundary::config::Config;
use hessian_boundary::pipeline::{self, Run};

const SMALL: &str = "dataset=moons&layers=8,8&epochs=30&k=3&seed=3&grid=16&snap=10";

fn small() -> String {
    pipeline::run(&Config::parse(SMALL).unwrap(), None)
        .unwrap()
        .to_json()
}

fn refused(text: &str) -> String {
    Run::from_json(text).unwrap_err().to_string()
}

#[test]
fn a_run_json_reads_back_to_the_same_bytes_and_numbers() {
    let text = small();
    let run = Run::from_json(&text).unwrap();
    assert_eq!(run.to_json(), text);
    let computed = pipeline::run(&Config::parse(SMALL).unwrap(), None).unwrap();
    assert_eq!(run.trained.params, computed.trained.params);
    assert_eq!(
        run.spectrum.as_ref().unwrap().eigen.vectors,
        computed.spectrum.as_ref().unwrap().eigen.vectors
    );
    assert_eq!(
        run.analysis.as_ref().unwrap().fields,
        computed.analysis.as_ref().unwrap().fields
    );
    assert_eq!(run.during_training.len(), 4);
    // The file holds no θ of the snapshots.
    assert!(run.trained.snapshots.is_empty());
}

#[test]
fn a_damaged_file_is_refused_with_what_is_wrong() {
    let text = small();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        let mut s = serde_json::to_string(&v).unwrap();
        s.push('\n');
        refused(&s)
    };
    assert!(
        refused("not json").starts_with("it is not JSON"),
        "{}",
        refused("not json")
    );
    assert!(refused("[1]").contains("not a JSON object"));
    assert!(edit(&|v| v["schema"] = "other/v9".into()).contains("schema is `other/v9`"));
    assert!(edit(&|v| v["query"] = "k=0".into()).contains("query `k=0` is not a valid config"));
    assert!(edit(&|v| v
        .as_object_mut()
        .unwrap()
        .remove("hessian")
        .map(drop)
        .unwrap())
    .contains("no `hessian` section"));
    let e = edit(&|v| {
        v["model"]["params"]
            .as_array_mut()
            .unwrap()
            .pop()
            .map(drop)
            .unwrap()
    });
    assert_eq!(e, "model.params has 113 entries, not 114");
    let e = edit(&|v| {
        v["hessian"]["eigenvectors"][1]
            .as_array_mut()
            .unwrap()
            .push(0.5.into())
    });
    assert_eq!(e, "hessian.eigenvectors[1] has 115 numbers, not 114");
    let e = edit(&|v| {
        v["alignment"]["fields"][0]
            .as_array_mut()
            .unwrap()
            .truncate(10)
    });
    assert_eq!(e, "alignment.fields[0] has 10 numbers, not 256");
    let e = edit(&|v| {
        v["query"] = "v=2&dataset=moons&seed=3&layers=8,9&epochs=30&k=3&grid=16&snap=10".into()
    });
    assert!(
        e.contains(
            "model.layers is [2, 8, 8, 2], but the query's network on this data is [2, 8, 9, 2]"
        ),
        "{e}"
    );
    let e = edit(&|v| v["hessian"]["eigenvalues"] = serde_json::json!("many"));
    assert!(
        e.starts_with("its `hessian` section cannot be read: invalid type"),
        "{e}"
    );
    // A number changed (the sizes all fine): the bytes tell, and where.
    let at = text.find("\"trace\":").unwrap() + "\"trace\":".len();
    let changed = format!("{}9{}", &text[..at], &text[at..]);
    let e = refused(&changed);
    assert!(
        e.contains("not what this version writes")
            && e.contains("from byte 2")
            && e.contains("\"trace\":9"),
        "{e}"
    );
    let changed = text.replacen("\"test_accuracy\":", "\"test_accuracy\":1", 1);
    assert!(refused(&changed).contains("not what this version writes"));
    // Without the trailing newline the file is not this version's bytes.
    assert!(refused(text.trim_end()).contains("not what this version writes"));
}

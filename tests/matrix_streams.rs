//! Every matrix writer streams: the memory it allocates while writing does not grow with
//! the output. Measured with a counting global allocator on a cluster whose pod-level matrix
//! is tens of megabytes in every format, written to a sink that only counts bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

use kubectl_netpol::engine::matrix::Matrix;
use kubectl_netpol::load::{self, LoadOptions};
use kubectl_netpol::model::Cluster;
use kubectl_netpol::report::matrix::{self, GroupBy, View};
use kubectl_netpol::report::style::Painter;

/// Bytes allocated now, and the most since the last reset.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Counts what is written, keeps nothing.
struct Sink(usize);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `pods` bare pods over four namespaces, each pod its own member, and a policy that lets
/// every pod reach the others on one port, so every pair is a connection.
fn cluster(pods: usize) -> Cluster {
    let mut text = String::new();
    for i in 0..pods {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i}, namespace: team-{}, labels: {{app: app-{i}}}}}\n---\n",
            i % 4
        ));
    }
    for ns in 0..4 {
        text.push_str(&format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: web, namespace: team-{ns}}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - ports: [{{port: 8080}}]\n---\n"
        ));
    }
    let loaded = load::load_texts(&[("cluster.yaml", &text)], &LoadOptions::default());
    assert!(loaded.problems.is_empty());
    Cluster::build(loaded.objects)
}

#[test]
fn every_writer_streams() {
    let cluster = cluster(800);
    let m = Matrix::compute(&cluster);
    let all: Vec<usize> = (0..m.len()).collect();
    let view = View::new(&cluster, &m, all.clone(), all, None).group_by(GroupBy::Pod);
    let painter = Painter::new(false);
    type Writer<'a> = Box<dyn Fn(&View, &mut dyn Write) -> io::Result<()> + 'a>;
    let writers: Vec<(&str, Writer)> = vec![
        ("json", Box::new(matrix::json::write)),
        ("list", Box::new(matrix::list::write)),
        ("csv", Box::new(matrix::csv::write)),
        ("md", Box::new(matrix::markdown::write)),
        ("dot", Box::new(matrix::dot::write)),
        ("mermaid", Box::new(matrix::mermaid::write)),
        (
            "table",
            Box::new(|v, w| matrix::table::write(v, &painter, w)),
        ),
        (
            "by source",
            Box::new(|v, w| matrix::table::write_by_source(v, &painter, w)),
        ),
    ];
    for (name, write) in writers {
        let mut sink = Sink(0);
        let before = CURRENT.load(Ordering::SeqCst);
        PEAK.store(before, Ordering::SeqCst);
        write(&view, &mut sink).unwrap();
        let used = PEAK.load(Ordering::SeqCst) - before;
        assert!(sink.0 > 4 << 20, "{name}: only {} bytes written", sink.0);
        // What a writer keeps is per row, per unit or per distinct port set: well under a
        // twentieth of the output here (a writer that built its output would need all of it).
        assert!(
            used < sink.0 / 20,
            "{name}: {used} bytes allocated at most while writing {} bytes",
            sink.0
        );
    }
}

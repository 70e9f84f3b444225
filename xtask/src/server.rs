//! The static server of `cargo xtask serve` (and of the browser test): `index.html`, `www/` and `pkg/`
//! from the repository root, nothing else. No directory listings; a path is served only if every segment
//! is a plain name (`[A-Za-z0-9_.-]`, not starting with a dot), so nothing can climb out of those folders.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, StatusCode};

const THREADS: usize = 4;

pub struct Server {
    server: Arc<tiny_http::Server>,
    threads: Vec<JoinHandle<()>>,
    url: String,
}

impl Server {
    /// Listens on 127.0.0.1:`port` (0: a free port) and serves from `root` on a few threads.
    pub fn start(root: &Path, port: u16, log: bool) -> Result<Server, String> {
        let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
            {
                format!("port {port} is already in use")
            } else {
                format!("cannot listen on 127.0.0.1:{port}: {e}")
            }
        })?;
        let port = server.server_addr().to_ip().map_or(port, |a| a.port());
        let server = Arc::new(server);
        let threads = (0..THREADS)
            .map(|_| {
                let (server, root) = (Arc::clone(&server), root.to_path_buf());
                std::thread::spawn(move || {
                    // recv() fails once unblocked by stop().
                    while let Ok(request) = server.recv() {
                        handle(&root, request, log);
                    }
                })
            })
            .collect();
        Ok(Server {
            server,
            threads,
            url: format!("http://127.0.0.1:{port}/"),
        })
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Serves until the process ends.
    pub fn wait(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }

    /// Stops accepting, lets the workers finish their current request, and closes the socket.
    pub fn stop(self) {
        for _ in &self.threads {
            self.server.unblock();
        }
        for t in self.threads {
            let _ = t.join();
        }
    }
}

fn handle(root: &Path, request: Request, log: bool) {
    let (status, response) = respond(root, request.method(), request.url());
    if log {
        println!("{} {} {}", status, request.method(), request.url());
    }
    let _ = request.respond(response);
}

fn respond(root: &Path, method: &Method, url: &str) -> (u16, Response<std::io::Cursor<Vec<u8>>>) {
    let plain = |status: u16, text: &str| {
        let response = Response::from_string(format!("{text}\n"))
            .with_status_code(StatusCode(status))
            .with_header(header("Content-Type", "text/plain; charset=utf-8"));
        (status, with_common_headers(response))
    };
    if *method != Method::Get && *method != Method::Head {
        let (status, response) = plain(405, "405 method not allowed");
        return (status, response.with_header(header("Allow", "GET, HEAD")));
    }
    let Some(path) = route(root, url) else {
        return plain(404, "404 not found");
    };
    match std::fs::read(&path) {
        Ok(body) if path.is_file() => {
            let response =
                Response::from_data(body).with_header(header("Content-Type", mime(&path)));
            (200, with_common_headers(response))
        }
        _ => plain(404, "404 not found"),
    }
}

fn with_common_headers<R: std::io::Read>(response: Response<R>) -> Response<R> {
    response
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header is valid")
}

/// The file a request URL names, if it is one we serve: `/` and `/index.html`, or a file below `www/` or
/// `pkg/`. Query and fragment are ignored; anything else (percent-escapes, dot segments, empty segments,
/// backslashes) is refused.
pub fn route(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path == "/" || path == "/index.html" {
        return Some(root.join("index.html"));
    }
    let mut segments = path.strip_prefix('/')?.split('/');
    let top = segments.next()?;
    if top != "www" && top != "pkg" {
        return None;
    }
    let mut file = root.join(top);
    let mut depth = 0;
    for segment in segments {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !plain {
            return None;
        }
        file.push(segment);
        depth += 1;
    }
    (depth > 0).then_some(file)
}

pub fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_only_the_page_www_and_pkg() {
        let root = Path::new("/repo");
        assert_eq!(route(root, "/"), Some(root.join("index.html")));
        assert_eq!(
            route(root, "/?dataset=moons&k=2"),
            Some(root.join("index.html"))
        );
        assert_eq!(route(root, "/index.html#x"), Some(root.join("index.html")));
        assert_eq!(route(root, "/www/app.js"), Some(root.join("www/app.js")));
        assert_eq!(
            route(root, "/pkg/hessian_boundary_bg.wasm?v=1"),
            Some(root.join("pkg/hessian_boundary_bg.wasm"))
        );
        assert_eq!(
            route(root, "/pkg/snippets/a-1/inline0.js"),
            Some(root.join("pkg/snippets/a-1/inline0.js"))
        );
        for bad in [
            "",
            "index.html",
            "/Cargo.toml",
            "/src/lib.rs",
            "/.git/config",
            "/www",
            "/www/",
            "/www//app.js",
            "/www/../Cargo.toml",
            "/www/./app.js",
            "/www/..",
            "/www/.hidden",
            "/www/%2e%2e/Cargo.toml",
            "/pkg/..%2fCargo.toml",
            "/www/a\\..\\b",
            "/pkg/a b.js",
            "/target/debug/xtask",
            "//etc/passwd",
            "/www/\0",
        ] {
            assert_eq!(route(root, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime(Path::new("pkg/m_bg.wasm")), "application/wasm");
        assert_eq!(
            mime(Path::new("www/app.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(mime(Path::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(mime(Path::new("www/style.css")), "text/css; charset=utf-8");
        assert_eq!(mime(Path::new("www/favicon.svg")), "image/svg+xml");
        assert_eq!(mime(Path::new("www/x")), "application/octet-stream");
    }

    #[test]
    fn serves_files_and_refuses_the_rest_over_http() {
        let root = std::env::temp_dir().join(format!("xtask-server-test-{}", std::process::id()));
        std::fs::create_dir_all(root.join("www/sub")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(root.join("www/app.js"), "export {}").unwrap();
        std::fs::write(root.join("secret.txt"), "no").unwrap();
        let server = Server::start(&root, 0, false).unwrap();
        let url = server.url();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let get = |method: &str, path: &str| -> String {
            use std::io::{Read, Write};
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            write!(
                s,
                "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let index = get("GET", "/");
        assert!(index.starts_with("HTTP/1.1 200"), "{index}");
        assert!(
            index.contains("Content-Type: text/html; charset=utf-8"),
            "{index}"
        );
        assert!(index.contains("Cache-Control: no-store"), "{index}");
        assert!(index.ends_with("<!doctype html>"), "{index}");
        let js = get("GET", "/www/app.js");
        assert!(
            js.contains("Content-Type: text/javascript; charset=utf-8")
                && js.ends_with("export {}"),
            "{js}"
        );
        for path in [
            "/secret.txt",
            "/www/",
            "/www/sub",
            "/www/../secret.txt",
            "/www/%2e%2e/secret.txt",
            "/www/missing.js",
        ] {
            assert!(get("GET", path).starts_with("HTTP/1.1 404"), "{path}");
        }
        assert!(get("POST", "/").starts_with("HTTP/1.1 405"));
        server.stop();
        std::fs::remove_dir_all(&root).unwrap();
    }
}

// Serves the built site on the loopback address, as files, with a small script added to each page that
// listens on a WebSocket and reloads the page after a good rebuild, or shows a failed one's error.
import FlyingFox
import FlyingSocks
import Foundation

struct PreviewServer {
    let site: URL
    let state: PreviewState
    let server: HTTPServer

    init(site: URL, port: UInt16, state: PreviewState) throws {
        self.site = site.standardizedFileURL
        self.state = state
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: port), timeout: 30, logger: .disabled)
    }

    /// Starts listening and returns the port (the one asked for, or the one the system gave for 0).
    func start() async throws -> UInt16 {
        await server.appendRoute("GET /__preview/events", to: WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: ReloadChannel(state: state))))
        await server.appendRoute("GET /__preview/status") { [state] _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                         body: Data(PreviewState.json(state.current).utf8))
        }
        await server.appendRoute("GET /__preview/reload.js") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/javascript", .cacheControl: "no-store"],
                         body: Data(Self.script.utf8))
        }
        await server.appendRoute("GET *") { [site] request in Self.file(request.path, in: site) }
        Task { [server] in try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw ReportError("the preview server did not start") }
        return port
    }

    /// A file of the site; a folder gives its index.html; HTML pages get the reload script.
    static func file(_ requestPath: String, in site: URL) -> HTTPResponse {
        let relative = requestPath.removingPercentEncoding ?? requestPath
        var url = site.appendingPathComponent(relative).standardizedFileURL
        // Only what lies inside the site, whatever the path says.
        guard url.path == site.path || url.path.hasPrefix(site.path + "/") else { return notFound(requestPath) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("index.html")
        }
        guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey]), values.isRegularFile == true,
              var data = try? Data(contentsOf: url) else { return notFound(requestPath) }
        let type = contentType(url.pathExtension)
        if type.hasPrefix("text/html"), let page = String(data: data, encoding: .utf8) {
            let tag = "<script src=\"/__preview/reload.js\"></script>"
            data = Data((page.range(of: "</body>", options: .backwards).map { page.replacingCharacters(in: $0, with: tag + "</body>") } ?? page + tag).utf8)
        }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: data)
    }

    static func notFound(_ path: String) -> HTTPResponse {
        HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: Data("\(path): not in the site (has `report build` written it?)\n".utf8))
    }

    static func contentType(_ pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "csv": return "text/csv; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "pdf": return "application/pdf"
        case "woff2": return "font/woff2"
        case "woff": return "font/woff"
        case "ttf": return "font/ttf"
        case "txt", "md": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// The page's side: reload when the site's generation moves on; a banner while building or after a failure.
    static let script = """
    (function () {
      var generation = null, banner = null;
      function show(text, failed) {
        if (!text) { if (banner) { banner.remove(); banner = null; } return; }
        if (!banner) {
          banner = document.createElement('div');
          banner.id = 'preview-banner';
          banner.setAttribute('role', 'status');
          banner.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:1000;max-height:45vh;overflow:auto;' +
            'margin:0;padding:.6em 1em;font:13px/1.45 monospace;white-space:pre-wrap;box-shadow:0 -2px 8px rgba(0,0,0,.25)';
          document.body.appendChild(banner);
        }
        banner.style.background = failed ? '#fdecea' : '#eef4fb';
        banner.style.color = failed ? '#8a1c12' : '#1d3b5c';
        banner.textContent = text;
      }
      function connect() {
        var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__preview/events');
        socket.onmessage = function (event) {
          var s = JSON.parse(event.data);
          if (generation === null) { generation = s.generation; }
          if (s.state === 'ok') {
            if (s.generation !== generation) { location.reload(); return; }
            show(null);
          } else if (s.state === 'building') {
            show('Rebuilding\\u2026 (this page shows the last good build until then)', false);
          } else {
            show('The last rebuild failed; this page is the last good build.\\n\\n' + s.message, true);
          }
        };
        socket.onclose = function () { setTimeout(connect, 1000); };
      }
      connect();
    })();
    """
}

"""What the cluster checks (.ci/rolling-upgrade, .ci/check-replica) share: Tocsin processes on
loopback, HTTP with JSON, waiting for a condition, and Pat, a responder whose webhook records every
delivery, paged by a policy for one service with an Alertmanager integration."""
import base64, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADMIN = ("cluster@example.com", "cluster check admin password")


class Check:
    def __init__(self, name):
        self.name = name
        self.work = tempfile.mkdtemp(prefix=f"{name}.")
        self.processes = {}
        self.cleanups = []
        signal.signal(signal.SIGTERM, lambda *_: (self.cleanup(), sys.exit(1)))

    def say(self, text):
        print(f"{self.name}: {text}", flush=True)

    def fail(self, text):
        print(f"{self.name}: FAILED: {text}", file=sys.stderr, flush=True)
        for log in sorted(os.listdir(self.work)):
            if log.endswith(".log"):
                lines = open(os.path.join(self.work, log), errors="replace").readlines()[-25:]
                print(f"--- {log} (last 25 lines) ---\n" + "".join(lines), file=sys.stderr)
        self.cleanup()
        sys.exit(1)

    def cleanup(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
        for step in reversed(self.cleanups):
            try:
                step()
            except Exception as e:  # a failed cleanup must not hide the check's own result
                print(f"{self.name}: cleanup: {e}", file=sys.stderr)
        if os.environ.get("TOCSIN_CI_KEEP"):
            print(f"{self.name}: logs kept in {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def wait_for(self, seconds, what, condition, quiet=False):
        """Polls condition four times a second until it returns something true, and returns it."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                value = condition()
                if value:
                    self.say(what)
                    return value
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.25)
        if quiet:
            return None
        self.fail(f"not within {seconds} s: {what}")

    def start(self, node, command, env, url, label):
        log = open(os.path.join(self.work, f"{node}-{label.replace(' ', '-')}.log"), "w")
        self.processes[node] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.wait_for(180, f"node {node} ({label}) is ready",
                      lambda: http("GET", f"{url}/actuator/health/readiness")["status"] == "UP")

    def stop(self, node):
        self.processes[node].send_signal(signal.SIGTERM)
        try:
            self.processes[node].wait(60)
        except subprocess.TimeoutExpired:
            self.fail(f"node {node} did not stop within 60 s of SIGTERM")
        self.say(f"node {node} stopped (SIGTERM)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, auth=None, timeout=10):
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = response.read()
        if response.headers.get_content_type().endswith("json") and data:
            return json.loads(data)
        return data.decode() if data else None


def tocsin_env(database_url, **more):
    """The environment of a node: PostgreSQL, one shared secret key, the first admin, Pat's
    loopback webhook allowed, and no folding of pages into summaries (every incident pages)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    env.update(TOCSIN_DATABASE_URL=database_url, TOCSIN_DATABASE_USER="postgres",
               TOCSIN_DATABASE_PASSWORD=os.environ.get("PGPASSWORD", ""),
               TOCSIN_ADMIN_EMAIL=ADMIN[0], TOCSIN_ADMIN_PASSWORD=ADMIN[1],
               TOCSIN_NOTIFY_ALLOWED_DESTINATIONS="127.0.0.0/8", TOCSIN_NOTIFY_RATE_LIMIT="100000",
               TOCSIN_LOG_FORMAT="text")
    env.update(more)
    return env


class Pager(BaseHTTPRequestHandler):
    """Pat's webhook: keeps every delivery, duplicates included."""
    received = []
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with Pager.lock:
            Pager.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_):
        pass

    @staticmethod
    def listen():
        server = ThreadingHTTPServer(("127.0.0.1", 0), Pager)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}/pat"

    @staticmethod
    def messages(kind):
        with Pager.lock:
            return [m for m in Pager.received if m.get("kind") == kind]


def set_up_paging(check, base):
    """Pat with a verified webhook, a policy that pages Pat, service checkout following it, and an
    Alertmanager integration; returns (api, integration key)."""
    hook = Pager.listen()
    token = http("POST", f"{base}/api/v1/tokens", {"name": check.name}, auth=ADMIN)["token"]

    def api(method, path, body=None):
        return http(method, base + path, body, {"Authorization": f"Bearer {token}"})

    pat = api("POST", "/api/v1/users", {"name": "Pat", "email": "pat@example.com", "role": "responder",
                                        "timeZone": "UTC", "password": "a long enough password"})["id"]
    method = api("POST", f"/api/v1/users/{pat}/contact-methods",
                 {"type": "webhook", "name": "pager", "target": hook})["id"]
    api("POST", f"/api/v1/users/{pat}/contact-methods/{method}/verification")
    code = check.wait_for(30, "Pat's webhook got its verification code",
                          lambda: next((re.search(r"\b\d{6}\b", m["text"]).group()
                                        for m in Pager.messages("verification")), None))
    api("POST", f"/api/v1/users/{pat}/contact-methods/{method}/verify", {"code": code})
    policy = api("POST", "/api/v1/escalation-policies", {"name": "primary", "levels": [
        {"delayMinutes": 30, "targets": [{"type": "user", "id": pat}]}]})["id"]
    service = api("POST", "/api/v1/services", {"name": "checkout"})["id"]
    api("PUT", f"/api/v1/services/{service}/escalation-policy", {"policyId": policy})
    key = api("POST", f"/api/v1/services/{service}/integrations",
              {"name": "prometheus", "kind": "alertmanager"})["key"]
    return api, key


def alert(base, key, name, timeout=5):
    """Sends one firing alert the way Prometheus does (Alertmanager's API v2)."""
    http("POST", f"{base}/api/v2/alerts",
         [{"labels": {"alertname": name, "severity": "critical"}, "annotations": {"summary": name}}],
         {"Authorization": f"Bearer {key}"}, timeout=timeout)


def check_paged_once(check, names, seconds=120):
    """Every alert name has paged Pat, and no incident paged twice."""
    def missing():
        titles = " ".join(m["incident"]["title"] for m in Pager.messages("page") if m.get("incident"))
        return [n for n in names if not re.search(rf"\b{n}\b", titles)]

    if not check.wait_for(seconds, f"every one of the {len(names)} alerts answered 2xx paged Pat",
                          lambda: not missing(), quiet=True):
        lost = missing()
        check.fail(f"{len(lost)} of {len(names)} alerts answered 2xx paged nobody: {lost[:10]}")
    time.sleep(3)  # time for a duplicate to show up, if one were coming
    pages = Pager.messages("page")
    per_incident = {}
    for page in pages:
        per_incident.setdefault(page["incident"]["number"], []).append(page["idempotencyKey"])
    twice = {number: keys for number, keys in per_incident.items() if len(keys) > 1}
    if twice:
        check.fail(f"incidents paged more than once: {dict(list(twice.items())[:5])}")
    if len(per_incident) != len(names):
        check.fail(f"{len(names)} alerts but {len(per_incident)} paged incidents")
    return len(pages)

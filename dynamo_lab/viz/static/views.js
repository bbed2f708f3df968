// Front end of the views (anywidget ES module, shared by RingView and the
// live LoadView). Python computes the whole drawing as a keyed scene
// ([tag, id, attrs, text] items, sent as JSON text); this file reconciles it
// into one <svg>, so that CSS transitions animate what changed, and for the
// ring builds the controls that send commands back. Redraws are coalesced
// per animation frame.
const NS = "http://www.w3.org/2000/svg";

function draw(svg, scene, known) {
  svg.setAttribute("viewBox", `0 0 ${scene.w} ${scene.h}`);
  svg.setAttribute("width", scene.w);
  svg.setAttribute("height", scene.h);
  const next = new Map();
  let prev = null;
  for (const [tag, id, attrs, text] of scene.items || []) {
    let node = known.get(id);
    if (!node || node.tagName !== tag) {
      node = document.createElementNS(NS, tag);
      node.setAttribute("data-id", id);
    }
    for (const a of Array.from(node.attributes)) {
      if (a.name !== "data-id" && !(a.name in attrs)) node.removeAttribute(a.name);
    }
    for (const k in attrs) {
      const v = String(attrs[k]);
      if (node.getAttribute(k) !== v) node.setAttribute(k, v);
    }
    const tip = attrs["data-tip"];
    if (tip !== undefined) {
      // a hover tip: the item's one child is an SVG <title> (DynamoDB views)
      let t = node.firstChild;
      if (!t || t.nodeName !== "title" || node.childNodes.length !== 1) {
        node.textContent = "";
        t = node.appendChild(document.createElementNS(NS, "title"));
      }
      if (t.textContent !== String(tip)) t.textContent = String(tip);
    } else if (node.textContent !== (text || "")) node.textContent = text || "";
    const want = prev ? prev.nextSibling : svg.firstChild;
    if (want !== node) svg.insertBefore(node, want);
    next.set(id, node);
    prev = node;
  }
  for (const [id, node] of known) {
    if (!next.has(id)) {
      // Drop the element's classes at once (selectors count only what is
      // drawn now) and let it fade out.
      node.setAttribute("class", "dl-exit");
      setTimeout(() => node.remove(), 600);
    }
  }
  return next;
}

function make(tag, props, kids = []) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids);
  return e;
}

function ringControls(model, bar) {
  const send = (cmd, args = {}) => model.send({ cmd, ...args });
  const add = make("button", { className: "dl-add", textContent: "add node", onclick: () => send("add_node") });
  const pick = make("select", { className: "dl-node-select", title: "node to remove" });
  const rm = make("button", {
    className: "dl-remove", textContent: "remove node",
    onclick: () => send("remove_node", { node: pick.value }),
  });
  const vnodes = make("input", {
    className: "dl-vnodes", type: "number", min: 1, max: 512,
    onchange: () => send("set_vnodes", { value: Number(vnodes.value) }),
  });
  const strategy = make("select", {
    className: "dl-strategy",
    onchange: () => send("set_strategy", { value: Number(strategy.value) }),
  }, [1, 2, 3].map((s) => make("option", { value: String(s), textContent: `strategy ${s}` })));
  const key = make("input", { className: "dl-key-input", type: "text", placeholder: "key" });
  const setKey = () => { model.set("key", key.value); model.save_changes(); };
  key.onchange = setKey;
  key.onkeydown = (e) => { if (e.key === "Enter") setKey(); };
  const status = make("span", { className: "dl-status" });
  bar.append(add, pick, rm, make("label", { textContent: "vnodes " }, [vnodes]), strategy, key, status);
  return () => {
    const c = model.get("controls") || {};
    const on = (what) => Boolean(c.enabled && c[what]);
    add.disabled = !on("add");
    rm.disabled = pick.disabled = !on("remove");
    vnodes.disabled = strategy.disabled = !on("rebuild");
    const nodes = c.nodes || [];
    if (pick.options.length !== nodes.length || nodes.some((n, i) => pick.options[i].value !== n)) {
      pick.replaceChildren(...nodes.map((n) => make("option", { value: n, textContent: n })));
      pick.value = nodes.length ? nodes[nodes.length - 1] : "";
    }
    if (document.activeElement !== vnodes) vnodes.value = c.vnodes ?? "";
    strategy.value = String(c.strategy ?? 1);
    if (document.activeElement !== key) key.value = model.get("key") || "";
    status.textContent = model.get("status") || "";
  };
}

export default {
  render({ model, el }) {
    el.classList.add("dl-view", model.get("kind") || "dl-scene");
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "dl-svg");
    const watched = ["controls", "key", "status"];
    let sync = () => {};
    if ((model.get("controls") || {}).ring) {
      const bar = make("div", { className: "dl-controls" });
      el.append(bar);
      sync = ringControls(model, bar);
      for (const name of watched) model.on(`change:${name}`, sync);
    }
    el.append(svg);
    let known = new Map();
    let frame = 0;
    const redraw = () => { frame = 0; known = draw(svg, JSON.parse(model.get("scene") || "{}"), known); };
    const schedule = () => { if (!frame) frame = requestAnimationFrame(redraw); };
    model.on("change:scene", schedule);
    redraw();
    sync();
    return () => {
      cancelAnimationFrame(frame);
      model.off("change:scene", schedule);
      for (const name of watched) model.off(`change:${name}`, sync);
    };
  },
};

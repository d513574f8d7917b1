// The page's own behaviour, run once when it loads: everything here works in the browser
// alone, without a round trip to the server.
() => {
  const chat = () => document.getElementById("chat");

  // Clicking a citation ([2] in an answer) shows source 2 in the side panel: the chat's own
  // select event fills the panel with that answer's sources; this scrolls to the source and
  // flags it. A plan's citations ("#plan-source-2") do the same in the plan's sources.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.cite");
    if (!link) return;
    event.preventDefault();
    const id = link.getAttribute("href").slice(1);
    const panel = id.startsWith("plan-") ? "#plan-sources" : "#passages";
    let tries = 0;
    const show = () => {
      const anchor = document.querySelector(`${panel} [id="${id}"]`);
      if (!anchor) { if (++tries < 20) setTimeout(show, 100); return; }
      const block = anchor.closest("p") || anchor;
      const title = block.nextElementSibling || block;
      document.querySelectorAll(`${panel} .cited`).forEach((e) => e.classList.remove("cited"));
      title.classList.add("cited");
      title.scrollIntoView({ behavior: "smooth", block: "start" });
    };
    setTimeout(show, 300);  // after the select event has put this answer's sources there
  }, true);

  // The skip link, the page's first tab stop, goes straight to the question box.
  document.addEventListener("click", (event) => {
    if (!event.target.closest("a.skip-link")) return;
    event.preventDefault();
    const box = document.querySelector("#question textarea");
    if (box) { box.scrollIntoView({ block: "center" }); box.focus(); }
  });

  // On a phone the conversation list folds behind its button, so the chat comes first.
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("#conversation-toggle");
    if (!toggle) return;
    const list = document.getElementById("conversation-list");
    const open = list.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });

  // Copy gives the text as it reads, not its Markdown: after Gradio has copied the Markdown,
  // the clipboard gets the shown text instead.
  const bubbles = () => [...document.querySelectorAll(
    "#chat [data-testid=bot], #chat [data-testid=user]")];
  document.addEventListener("click", (event) => {
    const button = event.target.closest("#chat button");
    if (!button || !navigator.clipboard) return;
    const label = button.getAttribute("aria-label") || "";
    let text = null;
    if (label.startsWith("Copy message")) {
      // The buttons follow their message: the last message before the button is it.
      const before = bubbles().filter(
        (b) => b.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (before.length) text = before[before.length - 1].innerText;
    } else if (label.startsWith("Copy conversation")) {
      text = bubbles().map((b) => b.innerText.trim()).join("\n\n");
    }
    if (text !== null) setTimeout(() => navigator.clipboard.writeText(text.trim()), 100);
  }, true);

  // Enter in the box that edits a question resends it, as Enter in the question box asks;
  // Shift+Enter is a new line.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (!event.target.matches("#chat textarea.edit-textarea")) return;
    const submit = chat() && chat().querySelector("button[aria-label=Submit]");
    if (!submit) return;
    event.preventDefault();
    submit.click();
  }, true);

  // The career map: its own size by default (type 12 px and up), scrolled to pan; the buttons
  // zoom it; a new map opens centred on the person's own role.
  const ZOOM_STEP = 1.25;
  const mapParts = (inside) => {
    const view = inside.querySelector(".map-view");
    const svg = view && view.querySelector("svg");
    return svg ? { view, svg, width: Number(svg.getAttribute("width")) } : null;
  };
  const zoomTo = (parts, scale) => {
    parts.svg.dataset.scale = String(scale);
    parts.svg.style.width = `${Math.round(parts.width * scale)}px`;
    parts.svg.style.height = "auto";
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("#career-map button[data-zoom]");
    if (!button) return;
    const parts = mapParts(document.getElementById("career-map"));
    if (!parts) return;
    const now = Number(parts.svg.dataset.scale || 1);
    const zoom = button.dataset.zoom;
    const scale = zoom === "in" ? now * ZOOM_STEP : zoom === "out" ? now / ZOOM_STEP
      : zoom === "fit" ? parts.view.clientWidth / parts.width : 1;
    zoomTo(parts, Math.min(4, Math.max(0.2, scale)));
  });
  const centreMap = () => {
    const map = document.getElementById("career-map");
    const parts = map && mapParts(map);
    if (!parts || parts.svg.dataset.centred) return;
    parts.svg.dataset.centred = "1";
    const you = parts.svg.querySelector("#current-role");
    if (!you) return;
    const box = you.getBoundingClientRect();
    const view = parts.view.getBoundingClientRect();
    parts.view.scrollLeft += box.left + box.width / 2 - view.left - view.width / 2;
    parts.view.scrollTop += box.top + box.height / 2 - view.top - view.height / 2;
  };

  // Gradio names each conversation's radio button apart, so each is its own tab stop: one
  // name makes the list one stop, with the arrow keys inside, as a radio group is.
  const group = () => {
    const toggle = document.getElementById("conversation-toggle");
    if (toggle && !toggle.hasAttribute("aria-expanded")) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", "conversation-list");
    }
    const radios = document.querySelectorAll("#conversations input[type=radio]");
    if (!radios.length) return;
    const wrap = radios[0].closest("label").parentElement;
    wrap.setAttribute("role", "radiogroup");
    wrap.setAttribute("aria-label", "Your conversations");
    radios.forEach((radio) => { if (radio.name !== "conversation") radio.name = "conversation"; });
  };
  const onChange = () => { group(); centreMap(); };
  new MutationObserver(onChange).observe(document.body, { childList: true, subtree: true });
  onChange();
}

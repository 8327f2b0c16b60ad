// The record forms of /entry/<kind>: shacl-form draws the form from the shapes; this file adds
// what it lacks here. Loaded as a module file (the pages allow no inline script).
//
// - Pick-lists with search: a field whose values are existing resources (a person, a decree, an
//   offence …) is a text box with a list of the graph's matches for what is typed, from
//   /entry/choices; choosing one puts its IRI in the box.
// - The shapes' messages as the user types: the form is validated a moment after each keystroke,
//   and the message of every failed constraint is written under its field, not only in a tooltip.
// - Sending: the form is validated in full; only a valid form is serialised (Turtle) into the
//   hidden `data` field and posted. The server validates everything again.

const form = document.getElementById("record");
const page = document.getElementById("entry-form");
const statusLine = document.getElementById("entry-status");
const choicesUrl = form.dataset.choicesUrl;
const pickLists = JSON.parse(form.dataset.pickLists || "{}");

const MESSAGES_CSS = `
.validation-error { position: static; display: block; margin: 0.1rem 0 0.3rem var(--label-width, 8em);
  color: #a00; font-size: 0.85rem; white-space: pre-line; cursor: default; }
.validation-error::before { content: '\\26a0  '; }
.validation-error::after { content: attr(title); }
.validation-error.node { margin-left: 0; }
`;

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// A plugin as shacl-form expects one (predicate, createEditor, createViewer).
class PickList {
  constructor(predicate, classes) {
    this.predicate = predicate;
    this.datatype = undefined;
    this.stylesheet = undefined;
    this.classes = classes;
  }

  createEditor(template, value) {
    const required = template.minCount !== undefined && template.minCount > 0;
    const element = template.config.theme.createTextEditor(template.label, value || null, required, template);
    const input = element.querySelector(".editor");
    const list = document.createElement("datalist");
    list.id = `choices-${input.id}`;
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.placeholder = "type part of a name, then choose";
    element.appendChild(list);
    const query = debounce(async () => {
      const params = new URLSearchParams({ q: input.value });
      for (const cls of this.classes) params.append("class", cls);
      const response = await fetch(`${choicesUrl}?${params}`, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { choices } = await response.json();
      list.replaceChildren(...choices.map(({ iri, label }) => {
        const option = document.createElement("option");
        option.value = iri;
        option.textContent = label;  // text, never markup: labels come from the graph
        return option;
      }));
    }, 200);
    input.addEventListener("input", () => { if (!input.value.startsWith("http")) query(); });
    input.addEventListener("focus", query);
    return element;
  }

  createViewer(template, value) {
    return template.config.theme.createViewer(template.label, value, template);
  }
}

function showMessages() {
  if (!form.shadowRoot || form.shadowRoot.ppkgStyled) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(MESSAGES_CSS);
  form.shadowRoot.adoptedStyleSheets = [...form.shadowRoot.adoptedStyleSheets, sheet];
  form.shadowRoot.ppkgStyled = true;
}

const validateSoon = debounce(() => { showMessages(); form.validate(true); }, 300);

await customElements.whenDefined("shacl-form");
for (const [predicate, classes] of Object.entries(pickLists)) {
  form.registerPlugin(new PickList(predicate, classes));
}
form.addEventListener("input", validateSoon);
form.addEventListener("change", () => showMessages());

page.addEventListener("submit", async (event) => {
  event.preventDefault();
  showMessages();
  statusLine.textContent = "Checking …";
  if (!(await form.validate(false))) {
    statusLine.textContent = "Not sent: fix the fields marked ⚠ first.";
    return;
  }
  document.getElementById("entry-data").value = form.serialize("text/turtle");
  statusLine.textContent = "Sending …";
  page.submit();
});
document.body.dataset.entryReady = "true";

// The code editor of a cell: prism-code-editor with Python highlighting, history and the
// usual editing commands (Tab indents 4 spaces; Escape leaves the editor; Ctrl+M toggles
// whether Tab moves focus instead).
import { createEditor } from "prism-code-editor";
import "prism-code-editor/prism/languages/python";
import "prism-code-editor/languages/python";
import { defaultKeymap, editHistory, editorCommands } from "prism-code-editor/commands";

export function mountEditor(box, { value, label, onChange, onRun }) {
  const editor = createEditor(
    null,
    {
      language: "python",
      value,
      tabSize: 4,
      insertSpaces: true,
      lineNumbers: true,
      wordWrap: false,
      class: "tb-cell__editor",
    },
    editHistory(),
    editorCommands(defaultKeymap),
  );
  const textarea = editor.textarea;
  textarea.setAttribute("aria-label", label);
  // Tab indents, so say how to leave (WCAG 2.1.2: a reader must be told how focus gets out).
  textarea.setAttribute(
    "aria-description",
    "Tab indents. To leave the editor, press Escape, then Tab. Shift+Enter runs the cell.",
  );
  textarea.setAttribute("spellcheck", "false");
  textarea.setAttribute("autocapitalize", "off");
  textarea.setAttribute("autocomplete", "off");
  editor.on("update", (code) => onChange(code));
  // Shift+Enter (or Ctrl/Cmd+Enter) runs the cell; capture phase beats the editor's own keys.
  editor.container.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Enter" && (event.shiftKey || event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        event.stopPropagation();
        onRun();
      }
    },
    true,
  );
  box.replaceChildren(editor.container);
  return {
    get value() {
      return editor.value;
    },
    setValue(code) {
      editor.setOptions({ value: code });
      editor.extensions.history?.clear();
    },
    focus() {
      textarea.focus();
    },
    textarea,
  };
}

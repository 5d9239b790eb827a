/** The test plan's import of the default rules; they are rendered in templates.ts. */
export { renderDefaultRules } from "./templates.ts";

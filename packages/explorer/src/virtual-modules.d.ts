declare module 'virtual:readme-examples' {
  import type { ExampleTab } from './readme-examples.ts';
  /** README's "Example queries", read when the explorer is built (vite.config.ts). */
  const examples: ExampleTab[];
  export default examples;
}

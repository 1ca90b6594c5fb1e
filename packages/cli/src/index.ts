export { ensureCatalogueTopics } from './commands/topics.js';

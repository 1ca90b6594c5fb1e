import { renderDocsPage } from './docs-page.js';

describe('renderDocsPage', () => {
  it('lists every operation with its method, path and summary, escaped, and links the document', () => {
    const page = renderDocsPage({
      info: { title: 'Orders', version: '1.2.0' },
      paths: {
        '/v1/orders': { post: { summary: 'Place an <order>' } },
        '/v1/orders/{id}': { get: { summary: 'One order' }, delete: {} },
      },
    });
    expect(page).toContain('<title>Orders 1.2.0</title>');
    expect(page).toContain('<a href="/docs/openapi.json">');
    expect(page).toContain(
      '<tr><td><code>POST</code></td><td><code>/v1/orders</code></td><td>Place an &#60;order&#62;</td></tr>',
    );
    expect(page.match(/<tr>/g)).toHaveLength(3);
  });
});

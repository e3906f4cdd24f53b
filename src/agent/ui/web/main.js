// Entry point: picks the page for the URL, applies the theme, and mounts the app.
import './style.css'
import {html} from 'htm/preact'
import {render} from 'preact'
import {useEffect, useRef} from 'preact/hooks'
import {interceptLinks, navigate, to, useLocation} from './router.js'
import {useStore} from './store.js'
import {useWatch} from './watch.js'
import {Layout} from './components/layout.js'
import {ErrorBox, Loading, Empty, PageHeader} from './components/common.js'
import {ServicesPage} from './pages/services.js'
import {ServicePage} from './pages/service.js'
import {NodesPage} from './pages/nodes.js'
import {NodePage} from './pages/node.js'
import {KvListPage} from './pages/kv-list.js'
import {KvEditPage} from './pages/kv-edit.js'
import {KvCreatePage} from './pages/kv-create.js'
import {ClusterPage} from './pages/cluster.js'

const TITLES = {services: 'Services', service: 'Service', nodes: 'Nodes', node: 'Node', kv: 'Key/Value', 'kv-edit': 'Key/Value', 'kv-create': 'Key/Value', cluster: 'Cluster'}

function App() {
  const {route, search} = useLocation()
  const theme = useStore((s) => s.theme)
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  useEffect(() => {
    const what = route.name ?? route.key ?? route.prefix
    document.title = `${what ? `${what} · ` : ''}${TITLES[route.page] ?? 'dc'}${route.dc ? ` · ${route.dc}` : ''} · dc`
  }, [route.page, route.name, route.key, route.prefix, route.dc])
  // After an in-app navigation, move focus to the new page's heading so keyboard and
  // screen-reader users start there (a full load starts at the top anyway).
  const first = useRef(true)
  const where = `${route.page}|${route.dc}|${route.name ?? route.key ?? route.prefix ?? ''}`
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    document.getElementById('page-title')?.focus({preventScroll: true})
  }, [where])
  return html`<${Layout} route=${route}><${Page} route=${route} search=${search} /><//>`
}

function Page({route, search}) {
  const {dc} = route
  switch (route.page) {
    case 'root':
      return html`<${Root} />`
    case 'services':
      return html`<${ServicesPage} dc=${dc} search=${search} />`
    case 'service':
      return html`<${ServicePage} key=${route.name} dc=${dc} name=${route.name} />`
    case 'nodes':
      return html`<${NodesPage} dc=${dc} />`
    case 'node':
      return html`<${NodePage} key=${route.name} dc=${dc} name=${route.name} />`
    case 'kv':
      return html`<${KvListPage} key=${route.prefix} dc=${dc} prefix=${route.prefix} search=${search} />`
    case 'kv-edit':
      return html`<${KvEditPage} key=${route.key} dc=${dc} keyName=${route.key} />`
    case 'kv-create':
      return html`<${KvCreatePage} key=${route.prefix} dc=${dc} prefix=${route.prefix} />`
    case 'cluster':
      return html`<${ClusterPage} dc=${dc} />`
    default:
      return html`<${PageHeader} title="Not found" /><${Empty}>There is no page at ${location.pathname}. <a href=${to.services(dc)}>Go to services</a>.<//>`
  }
}

/** /ui/ alone: go to this agent's datacenter, as Consul's UI does. */
function Root() {
  const {data, error} = useWatch('agent/self', {once: true})
  useEffect(() => {
    const dc = data?.Config?.Datacenter
    if (dc) navigate(to.services(dc), {replace: true})
  }, [data])
  return error ? html`<${ErrorBox} error=${error} what="Could not read /v1/agent/self" />` : html`<${Loading} />`
}

interceptLinks()
render(html`<${App} />`, document.getElementById('app'))

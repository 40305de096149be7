import { defineMessages } from '../../i18n.tsx';

export const messages = defineMessages({
  zh: {
    title: '县区',
    intro: '陕西各县区的结对城市、社会组织、项目与签约仪式。本页面的数据均来自本平台，不会向外部发送任何请求。',
    countyTitle: '按区划代码查看',
    countyLabel: '县区代码（6 位）',
    open: '打开',
    examples: '例如：',
  },
  en: {
    title: 'Counties',
    intro: "Shaanxi's counties: their paired Jiangsu city, organizations, projects and signing ceremonies. Everything on these pages comes from this hub; nothing is requested from elsewhere.",
    countyTitle: 'By division code',
    countyLabel: 'County code (6 digits)',
    open: 'Open',
    examples: 'For example:',
  },
});
